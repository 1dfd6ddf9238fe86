import { Link } from "react-router";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { SearchBox, useUrlSearch } from "../../components/SearchBox";
import { Empty, ErrorState, Loading, NoMatch } from "../../components/States";
import { counted } from "../../lib/format";
import { AudienceTable } from "./AudienceTable";
import { Connections } from "./Connections";
import { useAudiences } from "./queries";

export default function AudiencesPage() {
  const page = useUrlPage();
  const [search, setSearch] = useUrlSearch();
  const audiences = useAudiences(page, { search });
  return (
    <>
      <h1>Audiences</h1>
      <p className="muted">
        Custom audiences kept in step with your <Link to="/segments">segments</Link>.
      </p>
      <Connections />
      <h2>Your audiences</h2>
      {/* Hidden only when there is nothing to search: no search and no audience at all. */}
      {search || audiences.data?.total !== 0 ? (
        <SearchBox
          label="Search audiences by name"
          hint="The audience’s name on the platform or its segment’s name"
          value={search}
          onSearch={setSearch}
        />
      ) : null}
      {audiences.isPending ? <Loading label="Loading audiences…" /> : null}
      {audiences.error ? (
        <ErrorState error={audiences.error} retry={() => audiences.refetch()} />
      ) : null}
      {audiences.data && audiences.data.audiences.length === 0 && !search ? (
        <Empty title="No audiences yet">
          <p>
            Connect a platform, then create an audience from a <Link to="/segments">segment</Link>.
          </p>
        </Empty>
      ) : null}
      {audiences.data && audiences.data.audiences.length === 0 && search ? (
        <NoMatch thing="audience" search={search} onClear={() => setSearch("")} />
      ) : null}
      {audiences.data && audiences.data.audiences.length > 0 ? (
        <>
          <AudienceTable
            audiences={audiences.data.audiences}
            caption={`${counted(audiences.data.total, "audience")}${search ? ` matching “${search}”` : ""}`}
          />
          <UrlPagination total={audiences.data.total} />
        </>
      ) : null}
    </>
  );
}
