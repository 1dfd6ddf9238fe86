import { Link } from "react-router";
import {
  DateRangeControl,
  rangeLabel,
  useRangeSearch,
  useUrlRange,
} from "../../components/DateRangeControl";
import { NumHeaders } from "../../components/NumHeaders";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { SearchBox, useUrlSearch } from "../../components/SearchBox";
import { Empty, ErrorState, Loading, NoMatch } from "../../components/States";
import { count, counted, money, ratio, scheduled } from "../../lib/format";
import { validRange } from "../../lib/metrics";
import { useCampaigns, useListedCampaignsMetrics } from "./queries";

/** The metric columns' range when the URL names none. */
const METRIC_DAYS = 30;
const METRIC_LABELS = ["Spend", "ROAS", "Conversions", "CPA"] as const;

export default function CampaignsPage() {
  const page = useUrlPage();
  const [search, setSearch] = useUrlSearch();
  const [range, setRange] = useUrlRange(METRIC_DAYS);
  const invalid = validRange(range);
  // A campaign's page opens on the list's range (its search and page stay here).
  const rangeSearch = useRangeSearch();
  const campaigns = useCampaigns(page, search);
  const ids = campaigns.data?.items.map((c) => c.id) ?? [];
  // Not asked while the range is invalid; a failure only blanks the metric columns: the list stays.
  const metrics = useListedCampaignsMetrics(ids, range, !invalid);
  return (
    <>
      <div className="page-head">
        <h1>Campaigns</h1>
        <Link className="button primary" to="/campaigns/new">
          New campaign
        </Link>
      </div>
      {/* Hidden only when there is nothing to search: no search and no campaign at all. */}
      {search || campaigns.data?.total !== 0 ? (
        <>
          <SearchBox label="Search campaigns by name" value={search} onSearch={setSearch} />
          {/* The range of the metric columns (why one is refused under From). */}
          <div className="list-range">
            <DateRangeControl range={range} onChange={setRange} />
          </div>
        </>
      ) : null}
      {campaigns.isPending ? <Loading label="Loading campaigns…" /> : null}
      {campaigns.error ? (
        <ErrorState error={campaigns.error} retry={() => campaigns.refetch()} />
      ) : null}
      {campaigns.data && campaigns.data.items.length === 0 && !search ? (
        <Empty title="No campaigns yet">
          <Link to="/campaigns/new">Create your first campaign</Link>
        </Empty>
      ) : null}
      {campaigns.data && campaigns.data.items.length === 0 && search ? (
        <NoMatch thing="campaign" search={search} onClear={() => setSearch("")} />
      ) : null}
      {campaigns.data && campaigns.data.items.length > 0 ? (
        <>
          {metrics.isError ? <p className="muted">Metrics unavailable</p> : null}
          <table>
            <caption className="muted">
              {counted(campaigns.data.total, "campaign")}
              {search ? ` matching “${search}”` : ""}
            </caption>
            <colgroup span={6} />
            {/* Widths kept for the figures, so "…" while they load does not move the columns. */}
            <colgroup>
              <col span={METRIC_LABELS.length} className="metric-col" />
            </colgroup>
            <thead>
              <tr>
                <td colSpan={6} />
                <th scope="colgroup" colSpan={METRIC_LABELS.length} className="muted">
                  {invalid ? "Choose a valid date range" : rangeLabel(range)}
                </th>
              </tr>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Platform</th>
                <th scope="col">Objective</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Budget
                </th>
                <th scope="col">Dates</th>
                <NumHeaders labels={METRIC_LABELS} />
              </tr>
            </thead>
            <tbody>
              {campaigns.data.items.map((c) => {
                const m = metrics.data?.get(c.id);
                // "…" while asked; "—" when failed, not asked (an invalid range) or the campaign
                // has no metrics in the range.
                const blank = metrics.isLoading ? "…" : "—";
                return (
                  <tr key={c.id}>
                    <td>
                      <Link to={{ pathname: `/campaigns/${c.id}`, search: rangeSearch }}>
                        {c.name}
                      </Link>
                    </td>
                    <td>{c.platform}</td>
                    <td>{c.objective}</td>
                    <td>
                      <span className={`badge ${c.status}`}>{c.status}</span>
                    </td>
                    <td className="num">
                      {c.budget_daily
                        ? `${money(c.budget_daily)} / day`
                        : c.budget_lifetime
                          ? `${money(c.budget_lifetime)} lifetime`
                          : "—"}
                    </td>
                    <td>{scheduled(c.start_date, c.end_date)}</td>
                    <td className="num">{m ? money(m.spend) : blank}</td>
                    <td className="num">{m ? ratio(m.roas) : blank}</td>
                    <td className="num">{m ? count(m.conversions) : blank}</td>
                    <td className="num">{m ? money(m.cpa) : blank}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <UrlPagination total={campaigns.data.total} />
        </>
      ) : null}
    </>
  );
}
