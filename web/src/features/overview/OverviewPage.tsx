import { useState } from "react";
import { Link } from "react-router";
import { DateRangeControl } from "../../components/DateRangeControl";
import { LazyDailyChart, preloadChart } from "../../components/LazyChart";
import { Empty, ErrorState, Loading } from "../../components/States";
import { Tile } from "../../components/Tile";
import { count, fraction, money, ratio } from "../../lib/format";
import { type DateRange, lastDays, validRange } from "../../lib/metrics";
import { CampaignsInRange } from "./CampaignsInRange";
import { useDailyAcrossCampaigns, useOverview } from "./queries";

preloadChart();

export default function OverviewPage() {
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const invalid = validRange(range);
  const overview = useOverview(range, !invalid);
  const daily = useDailyAcrossCampaigns(range, !invalid);
  // The chart and the table read the first campaigns only; the tiles come from the API's totals.
  const partial = daily.accountCampaigns > daily.campaignCount;
  const charted = partial ? `first ${daily.campaignCount} campaigns` : "all campaigns";

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <DateRangeControl range={range} onChange={setRange} />
      </div>
      {overview.isPending && !invalid ? <Loading label="Loading metrics…" /> : null}
      {overview.error ? (
        <ErrorState error={overview.error} retry={() => overview.refetch()} />
      ) : null}
      {overview.data ? (
        <section aria-label="Totals" className="tiles">
          <Tile label="Spend" value={money(overview.data.total_spend)} />
          <Tile label="Revenue" value={money(overview.data.total_revenue)} />
          <Tile label="ROAS" value={ratio(overview.data.avg_roas)} />
          <Tile label="CTR" value={fraction(overview.data.avg_ctr)} />
          <Tile label="CPA" value={money(overview.data.avg_cpa)} />
          <Tile label="Impressions" value={count(overview.data.total_impressions)} />
          <Tile label="Clicks" value={count(overview.data.total_clicks)} />
          <Tile label="Conversions" value={count(overview.data.total_conversions)} />
        </section>
      ) : null}
      <h2>Daily spend and revenue</h2>
      {partial ? (
        <p className="muted">
          The chart and the campaigns table cover the first {count(daily.campaignCount)} of your{" "}
          {count(daily.accountCampaigns)} campaigns; the totals above cover all of them.
        </p>
      ) : null}
      {daily.pending ? <Loading label="Loading daily metrics…" /> : null}
      {daily.error ? <ErrorState error={daily.error} /> : null}
      {!daily.pending && !daily.error && daily.points.length === 0 ? (
        <Empty title={daily.campaignCount ? "No metrics in this range" : "No campaigns yet"}>
          {daily.campaignCount ? (
            <p>Refresh a campaign's metrics from its page, or choose another range.</p>
          ) : (
            <p>
              <Link to="/accounts">Connect an ad account</Link>, then{" "}
              <Link to="/campaigns/new">create a campaign</Link>.
            </p>
          )}
        </Empty>
      ) : null}
      {daily.points.length > 0 ? (
        <LazyDailyChart points={daily.points} title={`Spend and revenue per day, ${charted}`} />
      ) : null}
      {daily.campaigns.length > 0 ? <CampaignsInRange campaigns={daily.campaigns} /> : null}
    </>
  );
}
