import { Link } from "react-router";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { SearchBox, useUrlSearch } from "../../components/SearchBox";
import { Empty, ErrorState, Loading, NoMatch } from "../../components/States";
import { counted, money } from "../../lib/format";
import { useCampaigns } from "./queries";

export default function CampaignsPage() {
  const page = useUrlPage();
  const [search, setSearch] = useUrlSearch();
  const campaigns = useCampaigns(page, search);
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
        <SearchBox label="Search campaigns by name" value={search} onSearch={setSearch} />
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
          <table>
            <caption className="muted">
              {counted(campaigns.data.total, "campaign")}
              {search ? ` matching “${search}”` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Platform</th>
                <th scope="col">Objective</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Budget
                </th>
                <th scope="col">Dates</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
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
                  <td>
                    {c.start_date ?? "—"} → {c.end_date ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <UrlPagination total={campaigns.data.total} />
        </>
      ) : null}
    </>
  );
}
