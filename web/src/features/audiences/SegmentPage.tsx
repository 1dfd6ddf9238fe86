import { Link, useNavigate, useParams } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { detailFallback } from "../../components/DetailGate";
import { ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { count, dateTime } from "../../lib/format";
import { AudienceTable } from "./AudienceTable";
import { CoverageTable } from "./CoverageTable";
import { CreateAudience } from "./CreateAudience";
import { CsvImport } from "./CsvImport";
import { useAudiences, useDeleteSegment, useSegment } from "./queries";
import { SegmentPeople } from "./SegmentPeople";

function SegmentAudiences({ segmentId }: { segmentId: string }) {
  const audiences = useAudiences(1, { segmentId });
  if (audiences.isPending) return <Loading label="Loading audiences…" />;
  if (audiences.error) {
    return <ErrorState error={audiences.error} retry={() => audiences.refetch()} />;
  }
  if (audiences.data.audiences.length === 0) {
    return <p className="muted">No audience uses this segment yet.</p>;
  }
  return <AudienceTable audiences={audiences.data.audiences} caption="Audiences of this segment" />;
}

export default function SegmentPage() {
  const id = useParams().segmentId ?? "";
  const segment = useSegment(id);
  const remove = useDeleteSegment();
  const navigate = useNavigate();
  const fallback = detailFallback(segment, {
    loading: "Loading segment…",
    notFound: "Segment not found",
    back: { to: "/segments", label: "Back to segments" },
  });
  if (fallback || !segment.data) return fallback;
  const s = segment.data;
  return (
    <>
      <div className="page-head">
        <h1>{s.name}</h1>
        <div className="actions">
          <ConfirmDialog
            trigger="Delete segment"
            title={`Delete ${s.name}?`}
            confirm="Delete segment"
            pending={remove.isPending}
            error={remove.error ? errorMessage(remove.error) : undefined}
            onConfirm={(close) =>
              remove.mutate(id, {
                onSuccess: () => {
                  close();
                  navigate("/segments", { replace: true });
                },
              })
            }
          >
            <p>
              Its {count(s.profile_count)} profiles are deleted with it. A segment that feeds
              audiences cannot be deleted.
            </p>
          </ConfirmDialog>
        </div>
      </div>
      <p className="muted">
        {s.description ? `${s.description} · ` : ""}
        {count(s.profile_count)} profiles · {s.audience_count} audiences · updated{" "}
        {dateTime(s.updated_at)} · <Link to="/segments">all segments</Link>
      </p>
      <CoverageTable
        caption="Identifier coverage"
        coverage={s.identifier_coverage}
        total={s.profile_count}
        noun="Profiles"
      />
      <CsvImport segmentId={id} />
      <SegmentPeople segmentId={id} />
      <CreateAudience segmentId={id} segmentName={s.name} />
      <section aria-labelledby="segment-audiences-title">
        <h2 id="segment-audiences-title">Audiences</h2>
        <SegmentAudiences segmentId={id} />
      </section>
    </>
  );
}
