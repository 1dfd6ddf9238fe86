import { Link } from "react-router";
import type { components } from "../../api/schema";
import { DateRangeControl, useUrlRange } from "../../components/DateRangeControl";
import { LazyDailyChart, preloadChart } from "../../components/LazyChart";
import { NumHeaders } from "../../components/NumHeaders";
import { Pagination, usePageOf } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { Tile } from "../../components/Tile";
import { errorMessage } from "../../lib/errors";
import { count, fraction, money, ratio } from "../../lib/format";
import { type DailyPoint, type DateRange, sumByDay, totalsOf, validRange } from "../../lib/metrics";
import {
  accountDisconnected,
  useCampaignMetrics,
  useCampaignSeries,
  useRefreshMetrics,
} from "./queries";

type DailyMetric = components["schemas"]["DailyMetricRead"];

const TABLE_SIZE = 31;
/** The range when the URL names none. */
const DEFAULT_DAYS = 30;

preloadChart();

/** A campaign's daily metrics over the range the user chooses (the last 30 days to begin with; in
 * the URL as `?from=&to=`, as on the Overview and the Campaigns list): its totals, the chart, a
 * paged table, and a refresh of that range from the platform. */
export function CampaignMetrics({ id }: { id: string }) {
  const [range, setRange] = useUrlRange(DEFAULT_DAYS);
  // The table's page stays in the page, not the URL: back to the first on a new range or campaign.
  const [page, setPage] = usePageOf(`${id}/${range.start}/${range.end}`);
  const invalid = validRange(range);
  const chart = useCampaignSeries(id, range, !invalid);
  const table = useCampaignMetrics(id, range, page, TABLE_SIZE, !invalid);
  // Every day of the range (the table holds one page only).
  const points = chart.data ? sumByDay(chart.data) : [];
  return (
    <section aria-labelledby="metrics-title">
      <div className="page-head">
        <h2 id="metrics-title">
          {invalid ? "Daily metrics" : `Daily metrics, ${range.start} to ${range.end}`}
        </h2>
        <Refresh id={id} range={range} disabled={Boolean(invalid)} />
      </div>
      <DateRangeControl range={range} onChange={setRange} />
      {invalid ? null : (
        <>
          {table.isPending || chart.isPending ? <Loading label="Loading metrics…" /> : null}
          {table.error ? <ErrorState error={table.error} retry={() => table.refetch()} /> : null}
          {table.data && table.data.total === 0 ? (
            <Empty title="No metrics yet">
              <p>
                Refresh from the platform to fetch this campaign's daily metrics, or choose another
                range.
              </p>
            </Empty>
          ) : null}
          {chart.error ? <ErrorState error={chart.error} retry={() => chart.refetch()} /> : null}
          {points.length > 0 ? (
            <>
              <RangeTotals points={points} />
              <LazyDailyChart points={points} title="Spend and revenue per day" />
            </>
          ) : null}
          {table.data && table.data.items.length > 0 ? (
            <>
              <DailyTable rows={table.data.items} total={table.data.total} />
              <Pagination page={page} total={table.data.total} size={TABLE_SIZE} onPage={setPage} />
            </>
          ) : null}
        </>
      )}
    </section>
  );
}

function Refresh({ id, range, disabled }: { id: string; range: DateRange; disabled: boolean }) {
  const refresh = useRefreshMetrics(id);
  return (
    <div>
      <button
        type="button"
        className="button secondary"
        disabled={disabled || refresh.isPending}
        onClick={() => refresh.mutate(range)}
      >
        {refresh.isPending ? "Refreshing…" : "Refresh from the platform"}
      </button>
      {refresh.error ? (
        <div className="form-error" role="alert">
          {errorMessage(refresh.error)}
          {accountDisconnected(refresh.error) ? (
            <>
              {" "}
              <Link to="/accounts">Reconnect it on the Ad accounts page</Link>
            </>
          ) : null}
        </div>
      ) : null}
      {refresh.data ? (
        <div role="status" className="muted">
          {refresh.data.rows_upserted} days updated
        </div>
      ) : null}
    </div>
  );
}

/** The range's totals; a ratio whose denominator is 0 shows "—". */
function RangeTotals({ points }: { points: DailyPoint[] }) {
  const totals = totalsOf(points);
  return (
    <section aria-label="Campaign totals" className="tiles">
      <Tile label="Spend" value={money(totals.spend)} />
      <Tile label="Revenue" value={money(totals.revenue)} />
      <Tile label="ROAS" value={ratio(totals.roas)} />
      <Tile label="CTR" value={fraction(totals.ctr)} />
      <Tile label="CPA" value={money(totals.cpa)} />
      <Tile label="Impressions" value={count(totals.impressions)} />
      <Tile label="Clicks" value={count(totals.clicks)} />
      <Tile label="Conversions" value={count(totals.conversions)} />
    </section>
  );
}

function DailyTable({ rows, total }: { rows: DailyMetric[]; total: number }) {
  return (
    <table>
      <caption className="muted">{total} days</caption>
      <thead>
        <tr>
          <th scope="col">Date</th>
          <NumHeaders
            labels={[
              "Impressions",
              "Clicks",
              "Conversions",
              "Spend",
              "Revenue",
              "ROAS",
              "CTR",
              "CPA",
            ]}
          />
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.date}>
            <td>{row.date}</td>
            <td className="num">{count(row.impressions)}</td>
            <td className="num">{count(row.clicks)}</td>
            <td className="num">{count(row.conversions)}</td>
            <td className="num">{money(row.spend)}</td>
            <td className="num">{money(row.revenue)}</td>
            <td className="num">{ratio(row.roas)}</td>
            <td className="num">{fraction(row.ctr)}</td>
            <td className="num">{money(row.cpa)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
