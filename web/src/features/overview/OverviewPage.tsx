import { Link } from "react-router";
import { DateRangeControl, useUrlRange } from "../../components/DateRangeControl";
import { LazyDailyChart, preloadChart } from "../../components/LazyChart";
import { usePageOf } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { Tile } from "../../components/Tile";
import { count, fraction, money, ratio } from "../../lib/format";
import { validRange } from "../../lib/metrics";
import { CampaignsInRange } from "./CampaignsInRange";
import {
  useCampaignsInRange,
  useDailyAcrossCampaigns,
  useHasCampaigns,
  useOverview,
} from "./queries";

preloadChart();

/** The range when the URL names none. */
const DEFAULT_DAYS = 30;

export default function OverviewPage() {
  // In the URL as the Campaigns list's and a campaign's, whose links carry it (`useRangeSearch`).
  const [range, setRange] = useUrlRange(DEFAULT_DAYS);
  // The campaigns table goes back to its first page on a new range.
  const [page, setPage] = usePageOf(`${range.start}/${range.end}`);
  const invalid = validRange(range);
  const overview = useOverview(range, !invalid);
  const daily = useDailyAcrossCampaigns(range, !invalid);
  const campaigns = useCampaignsInRange(range, page, !invalid);
  // Asked only once the range has no metrics: an empty account is told how to begin.
  const noDays = daily.data?.length === 0;
  const hasCampaigns = useHasCampaigns(noDays);

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
      {daily.isPending && !invalid ? <Loading label="Loading daily metrics…" /> : null}
      {daily.error ? <ErrorState error={daily.error} retry={() => daily.refetch()} /> : null}
      {noDays && hasCampaigns.isPending ? <Loading label="Loading campaigns…" /> : null}
      {noDays && hasCampaigns.error ? (
        <ErrorState error={hasCampaigns.error} retry={() => hasCampaigns.refetch()} />
      ) : null}
      {noDays && hasCampaigns.data !== undefined ? (
        <Empty title={hasCampaigns.data ? "No metrics in this range" : "No campaigns yet"}>
          {hasCampaigns.data ? (
            <p>Refresh a campaign's metrics from its page, or choose another range.</p>
          ) : (
            <p>
              <Link to="/accounts">Connect an ad account</Link>, then{" "}
              <Link to="/campaigns/new">create a campaign</Link>.
            </p>
          )}
        </Empty>
      ) : null}
      {daily.data && daily.data.length > 0 ? (
        <LazyDailyChart points={daily.data} title="Spend and revenue per day, all campaigns" />
      ) : null}
      {campaigns.error ? (
        <ErrorState error={campaigns.error} retry={() => campaigns.refetch()} />
      ) : null}
      {campaigns.data && campaigns.data.total > 0 ? (
        <CampaignsInRange
          campaigns={campaigns.data.items}
          total={campaigns.data.total}
          page={page}
          onPage={setPage}
        />
      ) : null}
    </>
  );
}
