import { Link, useNavigate, useParams } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { useRangeSearch } from "../../components/DateRangeControl";
import { NotFound } from "../../components/NotFound";
import { Pagination } from "../../components/Pagination";
import { SearchBox, useListSearch } from "../../components/SearchBox";
import { Empty, ErrorState, Loading, NoMatch } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { money, scheduled } from "../../lib/format";
import { CampaignMetrics } from "./CampaignMetrics";
import { useAdGroups, useCampaign, useDeleteCampaign } from "./queries";

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
        <NoMatch thing="ad group in this campaign" search={search} onClear={() => onSearch("")} />
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
  // The Campaigns list it leads back to shows the range this page shows.
  const list = { pathname: "/campaigns", search: useRangeSearch() };
  if (campaign.isPending) return <Loading label="Loading campaign…" />;
  if (campaign.error) {
    return (
      <NotFound
        error={campaign.error}
        title="Campaign not found"
        back={{ to: list, label: "Back to campaigns" }}
        fallback={<ErrorState error={campaign.error} retry={() => campaign.refetch()} />}
      />
    );
  }
  const c = campaign.data;
  const groupCount = groups.data?.total;
  return (
    <>
      <p>
        <Link to={list}>← Campaigns</Link>
      </p>
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
                onSuccess: () => navigate(list, { replace: true }),
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
          <dd>{scheduled(c.start_date, c.end_date)}</dd>
        </div>
        <div>
          <dt className="muted">Platform campaign id</dt>
          <dd>{c.external_campaign_id ?? "not linked"}</dd>
        </div>
      </dl>
      <CampaignMetrics id={id} />
      <AdGroups id={id} />
    </>
  );
}
