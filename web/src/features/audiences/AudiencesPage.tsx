import { Link } from "react-router";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { AudienceTable } from "./AudienceTable";
import { Connections } from "./Connections";
import { useAudiences } from "./queries";

export default function AudiencesPage() {
  const page = useUrlPage();
  const audiences = useAudiences(page);
  return (
    <>
      <h1>Audiences</h1>
      <p className="muted">
        Custom audiences kept in step with your <Link to="/segments">segments</Link>.
      </p>
      <Connections />
      <h2>Your audiences</h2>
      {audiences.isPending ? <Loading label="Loading audiences…" /> : null}
      {audiences.error ? (
        <ErrorState error={audiences.error} retry={() => audiences.refetch()} />
      ) : null}
      {audiences.data && audiences.data.audiences.length === 0 ? (
        <Empty title="No audiences yet">
          <p>
            Connect a platform, then create an audience from a <Link to="/segments">segment</Link>.
          </p>
        </Empty>
      ) : null}
      {audiences.data && audiences.data.audiences.length > 0 ? (
        <>
          <AudienceTable
            audiences={audiences.data.audiences}
            caption={`${audiences.data.total} audiences`}
          />
          <UrlPagination total={audiences.data.total} />
        </>
      ) : null}
    </>
  );
}
