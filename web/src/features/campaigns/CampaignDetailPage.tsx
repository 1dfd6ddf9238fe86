import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { LazyDailyChart, preloadChart } from "../../components/LazyChart";
import { NotFound } from "../../components/NotFound";
import { Pagination } from "../../components/Pagination";
import { SearchBox, useListSearch } from "../../components/SearchBox";
import { Empty, ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { count, daysAgo, fraction, money, ratio } from "../../lib/format";
import { type DateRange, sumByDay } from "../../lib/metrics";
import {
  accountDisconnected,
  useAdGroups,
  useCampaign,
  useCampaignMetrics,
  useCampaignSeries,
  useDeleteCampaign,
  useRefreshMetrics,
} from "./queries";

const TABLE_SIZE = 31;

preloadChart();

function Metrics({ id }: { id: string }) {
  const [range] = useState<DateRange>({ start: daysAgo(29), end: daysAgo(0) });
  const [page, setPage] = useState(1);
  const chart = useCampaignSeries(id, range);
  const table = useCampaignMetrics(id, range, page, TABLE_SIZE);
  const refresh = useRefreshMetrics(id);
  return (
    <section aria-labelledby="metrics-title">
      <div className="page-head">
        <h2 id="metrics-title">
          Daily metrics, {range.start} to {range.end}
        </h2>
        <div>
          <button
            type="button"
            className="button secondary"
            disabled={refresh.isPending}
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
      </div>
      {table.isPending ? <Loading label="Loading metrics…" /> : null}
      {table.error ? <ErrorState error={table.error} retry={() => table.refetch()} /> : null}
      {table.data && table.data.total === 0 ? (
        <Empty title="No metrics yet">
          <p>Refresh from the platform to fetch this campaign's daily metrics.</p>
        </Empty>
      ) : null}
      {chart.error ? <ErrorState error={chart.error} retry={() => chart.refetch()} /> : null}
      {chart.data && chart.data.length > 0 ? (
        <LazyDailyChart points={sumByDay(chart.data)} title="Spend and revenue per day" />
      ) : null}
      {table.data && table.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">{table.data.total} days</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col" className="num">
                  Impressions
                </th>
                <th scope="col" className="num">
                  Clicks
                </th>
                <th scope="col" className="num">
                  Conversions
                </th>
                <th scope="col" className="num">
                  Spend
                </th>
                <th scope="col" className="num">
                  Revenue
                </th>
                <th scope="col" className="num">
                  ROAS
                </th>
                <th scope="col" className="num">
                  CTR
                </th>
                <th scope="col" className="num">
                  CPA
                </th>
              </tr>
            </thead>
            <tbody>
              {table.data.items.map((row) => (
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
          <Pagination page={page} total={table.data.total} size={TABLE_SIZE} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}

function AdGroups({ id }: { id: string }) {
  const { page, onPage, search, onSearch } = useListSearch();
  const groups = useAdGroups(id, page, search);
  return (
    <section aria-labelledby="groups-title">
      <div className="page-head">
        <h2 id="groups-title">Ad groups</h2>
        <Link className="button secondary" to={`/campaigns/${id}/ad-groups/new`}>
          New ad group
        </Link>
      </div>
      {search || groups.data?.total !== 0 ? (
        <SearchBox label="Search ad groups by name" value={search} onSearch={onSearch} />
      ) : null}
      {groups.isPending ? <Loading label="Loading ad groups…" /> : null}
      {groups.error ? <ErrorState error={groups.error} retry={() => groups.refetch()} /> : null}
      {groups.data && groups.data.items.length === 0 && !search ? (
        <Empty title="No ad groups in this campaign" />
      ) : null}
      {groups.data && groups.data.items.length === 0 && search ? (
        <Empty title={`No ad group in this campaign matches “${search}”`}>
          <button type="button" className="button secondary" onClick={() => onSearch("")}>
            Clear the search
          </button>
        </Empty>
      ) : null}
      {groups.data && groups.data.items.length > 0 ? (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Bid strategy</th>
                <th scope="col" className="num">
                  Bid
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.data.items.map((g) => (
                <tr key={g.id}>
                  <td>
                    <Link to={`/ad-groups/${g.id}`}>{g.name}</Link>
                  </td>
                  <td>
                    <span className={`badge ${g.status}`}>{g.status}</span>
                  </td>
                  <td>{g.bid_strategy}</td>
                  <td className="num">{money(g.bid_amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={page} total={groups.data.total} size={20} onPage={onPage} />
        </>
      ) : null}
    </section>
  );
}

export default function CampaignDetailPage() {
  const id = useParams().campaignId ?? "";
  const campaign = useCampaign(id);
  const groups = useAdGroups(id, 1);
  const remove = useDeleteCampaign(id);
  const navigate = useNavigate();
  if (campaign.isPending) return <Loading label="Loading campaign…" />;
  if (campaign.error) {
    return (
      <NotFound
        error={campaign.error}
        title="Campaign not found"
        back={{ to: "/campaigns", label: "Back to campaigns" }}
        fallback={<ErrorState error={campaign.error} retry={() => campaign.refetch()} />}
      />
    );
  }
  const c = campaign.data;
  const groupCount = groups.data?.total;
  return (
    <>
      <div className="page-head">
        <h1>{c.name}</h1>
        <div className="actions">
          <Link className="button secondary" to={`/campaigns/${id}/edit`}>
            Edit
          </Link>
          <ConfirmDialog
            trigger="Delete"
            title={`Delete ${c.name}?`}
            confirm="Delete campaign"
            pending={remove.isPending}
            error={remove.error ? errorMessage(remove.error) : undefined}
            onConfirm={() =>
              remove.mutate(undefined, {
                onSuccess: () => navigate("/campaigns", { replace: true }),
              })
            }
          >
            <p>
              This also deletes{" "}
              {groupCount === undefined ? "its ad groups" : `its ${groupCount} ad group(s)`}, their
              creatives and all of this campaign's daily metrics. It cannot be undone.
            </p>
          </ConfirmDialog>
        </div>
      </div>
      <dl className="panel grid-2">
        <div>
          <dt className="muted">Status</dt>
          <dd>
            <span className={`badge ${c.status}`}>{c.status}</span>
          </dd>
        </div>
        <div>
          <dt className="muted">Platform</dt>
          <dd>{c.platform}</dd>
        </div>
        <div>
          <dt className="muted">Objective</dt>
          <dd>{c.objective}</dd>
        </div>
        <div>
          <dt className="muted">Budget</dt>
          <dd>
            {c.budget_daily
              ? `${money(c.budget_daily)} per day`
              : c.budget_lifetime
                ? `${money(c.budget_lifetime)} lifetime`
                : "—"}
          </dd>
        </div>
        <div>
          <dt className="muted">Dates</dt>
          <dd>
            {c.start_date ?? "—"} → {c.end_date ?? "—"}
          </dd>
        </div>
        <div>
          <dt className="muted">Platform campaign id</dt>
          <dd>{c.external_campaign_id ?? "not linked"}</dd>
        </div>
      </dl>
      <Metrics id={id} />
      <AdGroups id={id} />
    </>
  );
}
