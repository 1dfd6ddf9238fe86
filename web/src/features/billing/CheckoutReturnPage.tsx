import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link, useParams } from "react-router";
import { ErrorState, Loading } from "../../components/States";
import { useAuth } from "../auth/AuthProvider";
import { PAID_POLLS, useBillingOverview } from "./queries";

/** Where Stripe Checkout sends the browser back: `/billing/success` or `/billing/cancel`. */
export default function CheckoutReturnPage() {
  const outcome = useParams().outcome;
  const paid = outcome === "success";
  const overview = useBillingOverview(paid);
  const { reloadUser } = useAuth();
  const polls = useQueryClient().getQueryState(["billing-overview"])?.dataUpdateCount ?? 0;
  const reloaded = useRef(false);
  const plan = overview.data?.plan;

  useEffect(() => {
    // The plan arrives through Stripe's webhook; then a new access token carries it.
    if (paid && plan && plan !== "free" && !reloaded.current) {
      reloaded.current = true;
      void reloadUser();
    }
  }, [paid, plan, reloadUser]);

  if (!paid) {
    return (
      <>
        <h1>Checkout cancelled</h1>
        <p>
          Nothing was charged.{" "}
          {plan ? `You are still on the ${overview.data?.plan_name} plan.` : ""}
        </p>
        <Link to="/billing">Back to billing</Link>
      </>
    );
  }
  const waiting = !plan || plan === "free";
  const gaveUp = waiting && polls >= PAID_POLLS;
  return (
    <>
      <h1>Thank you</h1>
      {overview.error ? (
        <ErrorState error={overview.error} retry={() => overview.refetch()} />
      ) : null}
      {waiting && !gaveUp && !overview.error ? (
        <Loading label="Payment received: waiting for Stripe to confirm your plan…" />
      ) : null}
      {gaveUp ? (
        <p role="alert">
          Stripe has not confirmed the payment yet. Your plan changes as soon as it does: check
          billing again in a minute.
        </p>
      ) : null}
      {!waiting ? <p role="status">You are now on the {overview.data?.plan_name} plan.</p> : null}
      <Link to="/billing">Back to billing</Link>
    </>
  );
}
