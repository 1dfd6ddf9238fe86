import { FormError } from "../../components/Field";
import { ProgressBar } from "../../components/ProgressBar";
import { ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { count, dateTime, money } from "../../lib/format";
import { allowanceView, isUpgrade } from "./allowance";
import { type PlanId, useBillingOverview, useCheckout, usePlans, usePortal } from "./queries";

function Allowance({ label, used, limit }: { label: string; used: number; limit: number | null }) {
  const view = allowanceView(used, limit);
  return (
    <div className="allowance">
      <span>
        {label}: {view.text}
        {view.full ? <strong className="field-error"> (limit reached)</strong> : null}
      </span>
      {view.percent === null ? null : <ProgressBar label={`${label} used`} value={view.percent} />}
    </div>
  );
}

function Plans({ current, subscribed }: { current: PlanId; subscribed: boolean }) {
  const plans = usePlans();
  const checkout = useCheckout();
  if (plans.isPending) return <Loading label="Loading plans…" />;
  if (plans.error) return <ErrorState error={plans.error} retry={() => plans.refetch()} />;
  return (
    <section aria-labelledby="plans-title">
      <h2 id="plans-title">Plans</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Plan</th>
            <th scope="col" className="num">
              Price a month
            </th>
            <th scope="col">Campaigns</th>
            <th scope="col">Ad groups</th>
            <th scope="col">API keys</th>
            <th scope="col">
              <span className="muted">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {plans.data.map((plan) => (
            <tr key={plan.id}>
              <th scope="row">{plan.name}</th>
              <td className="num">{money(plan.price)}</td>
              <td>{plan.limits.campaigns ?? "unlimited"}</td>
              <td>{plan.limits.ad_groups ?? "unlimited"}</td>
              <td>{plan.api_access ? "yes" : "no"}</td>
              <td>
                {plan.id === current ? <span className="badge active">current</span> : null}
                {isUpgrade(current, plan.id) && !subscribed ? (
                  <button
                    type="button"
                    className="button primary"
                    disabled={checkout.isPending}
                    onClick={() =>
                      checkout.mutate(plan.id, {
                        // Stripe's hosted Checkout page; it sends the browser back to /billing/success.
                        onSuccess: (session) => window.location.assign(session.url),
                      })
                    }
                  >
                    {checkout.isPending && checkout.variables === plan.id
                      ? "Opening checkout…"
                      : `Upgrade to ${plan.name}`}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FormError message={checkout.error ? errorMessage(checkout.error) : undefined} />
      {subscribed ? (
        <p className="muted">Plan changes of a subscription go through the billing portal.</p>
      ) : null}
    </section>
  );
}

export default function BillingPage() {
  const overview = useBillingOverview();
  const portal = usePortal();
  if (overview.isPending) return <Loading label="Loading billing…" />;
  if (overview.error) return <ErrorState error={overview.error} retry={() => overview.refetch()} />;
  const o = overview.data;
  const subscribed = o.status !== null && !["canceled", "incomplete_expired"].includes(o.status);
  return (
    <>
      <h1>Billing</h1>
      <section className="panel" aria-labelledby="current-plan-title">
        <h2 id="current-plan-title">Current plan: {o.plan_name}</h2>
        <p>
          {money(o.price)} a month
          {o.status ? ` · subscription ${o.status}` : " · no subscription"}
          {o.renews_at ? ` · renews ${dateTime(o.renews_at)}` : ""}
          {o.cancel_at_period_end ? ` · ends ${dateTime(o.current_period_end)}` : ""}
        </p>
        <Allowance label="Campaigns" used={o.usage.campaigns} limit={o.limits.campaigns} />
        <Allowance label="Ad groups" used={o.usage.ad_groups} limit={o.limits.ad_groups} />
        <p>Profiles synced this month: {count(o.usage.profiles_synced_this_month)}</p>
        {subscribed ? (
          <>
            <button
              type="button"
              className="button secondary"
              disabled={portal.isPending}
              onClick={() =>
                portal.mutate(undefined, {
                  onSuccess: (session) => window.location.assign(session.url),
                })
              }
            >
              Manage subscription
            </button>
            <FormError message={portal.error ? errorMessage(portal.error) : undefined} />
          </>
        ) : null}
      </section>
      <Plans current={o.plan} subscribed={subscribed} />
    </>
  );
}
