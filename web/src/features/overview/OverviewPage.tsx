import { useState } from "react";
import { Link } from "react-router";
import { Field } from "../../components/Field";
import { LazyDailyChart, preloadChart } from "../../components/LazyChart";
import { Empty, ErrorState, Loading } from "../../components/States";
import { Tile } from "../../components/Tile";
import { count, daysAgo, fraction, money, ratio } from "../../lib/format";
import { type DateRange, validRange } from "../../lib/metrics";
import { useDailyAcrossCampaigns, useOverview } from "./queries";

const PRESETS = [7, 30, 90];

preloadChart();

export default function OverviewPage() {
  const [range, setRange] = useState<DateRange>({ start: daysAgo(29), end: daysAgo(0) });
  const invalid = validRange(range);
  const overview = useOverview(range, !invalid);
  const daily = useDailyAcrossCampaigns(range, !invalid);

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <div className="range">
          <Field label="From" error={invalid ?? undefined}>
            {(p) => (
              <input
                {...p}
                type="date"
                value={range.start}
                onChange={(e) => setRange({ ...range, start: e.target.value })}
              />
            )}
          </Field>
          <Field label="To">
            {(p) => (
              <input
                {...p}
                type="date"
                value={range.end}
                onChange={(e) => setRange({ ...range, end: e.target.value })}
              />
            )}
          </Field>
          {PRESETS.map((days) => (
            <button
              key={days}
              type="button"
              className="button secondary"
              onClick={() => setRange({ start: daysAgo(days - 1), end: daysAgo(0) })}
            >
              Last {days} days
            </button>
          ))}
        </div>
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
        <LazyDailyChart points={daily.points} title="Spend and revenue per day, all campaigns" />
      ) : null}
    </>
  );
}
