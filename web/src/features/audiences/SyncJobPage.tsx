import { Link, useParams } from "react-router";
import { detailFallback } from "../../components/DetailGate";
import { count, dateTime } from "../../lib/format";
import { JobSummary } from "./JobProgress";
import { useSyncJob } from "./queries";

export default function SyncJobPage() {
  const id = useParams().jobId ?? "";
  const job = useSyncJob(id);
  const fallback = detailFallback(job, {
    loading: "Loading sync job…",
    notFound: "Sync job not found",
    back: { to: "/audiences", label: "Back to audiences" },
  });
  if (fallback || !job.data) return fallback;
  const j = job.data;
  const fields = Object.entries(j.identifier_counts);
  return (
    <>
      <h1>Sync job</h1>
      <p className="muted">
        <code>{j.job_id}</code> · <Link to={`/audiences/${j.audience_id}`}>its audience</Link>
      </p>
      <section className="panel" aria-label="Job progress">
        <JobSummary job={j} />
      </section>
      <dl className="facts">
        <dt>Triggered</dt>
        <dd>
          {j.triggered_by} · created {dateTime(j.created_at)}
        </dd>
        <dt>Ran</dt>
        <dd>
          {dateTime(j.started_at)} to {dateTime(j.completed_at)}
          {j.duration_ms === null ? "" : ` (${count(j.duration_ms)} ms)`}
        </dd>
        <dt>Segment size</dt>
        <dd>{count(j.segment_size)}</dd>
        <dt>Invalid values</dt>
        <dd>{count(j.profiles_invalid)}</dd>
      </dl>
      {fields.length > 0 ? (
        <table>
          <caption>Identifiers</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col" className="num">
                Sent
              </th>
              <th scope="col" className="num">
                Invalid
              </th>
            </tr>
          </thead>
          <tbody>
            {fields.map(([field, c]) => (
              <tr key={field}>
                <th scope="row">{field}</th>
                <td className="num">{count(c.sent)}</td>
                <td className="num">{count(c.invalid)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {j.invalid_samples.length > 0 ? (
        <table>
          <caption>Profiles not sent (samples)</caption>
          <thead>
            <tr>
              <th scope="col">External id</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {j.invalid_samples.map((sample) => (
              <tr key={`${String(sample.external_id)}-${String(sample.reason)}`}>
                <td>{String(sample.external_id ?? "—")}</td>
                <td>{String(sample.reason ?? "—")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
