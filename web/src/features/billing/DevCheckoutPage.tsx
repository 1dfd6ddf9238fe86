import { useSearchParams } from "react-router";
import { FormError } from "../../components/Field";
import { ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { money } from "../../lib/format";
import { useDevCheckout, useDevCheckoutPay } from "./queries";

/**
 * Stripe's hosted Checkout, played in development: stripe-mock's own page knows no session and
 * sends no webhook, so billing (BILLING_DEV_CHECKOUT, never in production) points the session
 * here. "Pay" has billing deliver the signed checkout.session.completed to its public webhook,
 * then returns to the success page as Stripe does; "Back" goes to the cancel page.
 */
export default function DevCheckoutPage() {
  const token = useSearchParams()[0].get("token") ?? "";
  const session = useDevCheckout(token);
  const pay = useDevCheckoutPay();
  if (!token) return <ErrorState error={new Error("This checkout link has no token.")} />;
  if (session.isPending) return <Loading label="Opening the test checkout…" />;
  if (session.error) return <ErrorState error={session.error} />;
  const s = session.data;
  return (
    <>
      <h1>Test checkout</h1>
      <p className="notice">
        Development only: billing runs against stripe-mock, so this page stands in for Stripe's. No
        card is charged; <strong>Pay</strong> sends billing the webhook Stripe would send.
      </p>
      <section className="panel" aria-label="Order">
        <h2>AdScale {s.plan_name}</h2>
        <p>
          <span className="tile-value">{money(s.price)}</span> per {s.interval} (
          {s.currency.toUpperCase()})
        </p>
        <p className="muted">Checkout session {s.session_id}</p>
        <FormError message={pay.error ? errorMessage(pay.error) : undefined} />
        <div className="actions">
          <a className="button secondary" href={s.cancel_url}>
            Back
          </a>
          <button
            type="button"
            className="button primary"
            disabled={pay.isPending || pay.isSuccess}
            onClick={() =>
              pay.mutate(token, { onSuccess: (paid) => window.location.assign(paid.success_url) })
            }
          >
            {pay.isPending || pay.isSuccess ? "Paying…" : `Pay ${money(s.price)}`}
          </button>
        </div>
      </section>
    </>
  );
}
