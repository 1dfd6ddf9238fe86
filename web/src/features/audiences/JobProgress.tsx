import { Link } from "react-router";
import { ProgressBar } from "../../components/ProgressBar";
import { ErrorState, Loading } from "../../components/States";
import { count } from "../../lib/format";
import { jobProgress } from "./progress";
import { isActive, type SyncJob, useSyncJob } from "./queries";

export function JobSummary({ job }: { job: SyncJob }) {
  return (
    <>
      <ProgressBar label={`Sync ${job.status}`} value={jobProgress(job)} />
      <p role="status">
        {job.operation} · {job.status}: {count(job.profiles_sent)} profiles sent,{" "}
        {count(job.profiles_added)} added, {count(job.profiles_removed)} removed,{" "}
        {count(job.profiles_failed)} failed
        {job.match_rate === null ? "" : `, match rate ${job.match_rate}%`}.
      </p>
      {job.error_message ? (
        <p className="form-error" role="alert">
          {job.error_code}: {job.error_message}
        </p>
      ) : null}
    </>
  );
}

/** A job's live progress: polled every second while pending or running. */
export function JobProgress({ jobId, onSettled }: { jobId: string; onSettled?: () => void }) {
  const job = useSyncJob(jobId, onSettled);
  return (
    <section className="panel" aria-label="Sync progress" aria-busy={isActive(job.data?.status)}>
      <h2>Current sync</h2>
      {job.isPending ? <Loading label="Loading the sync job…" /> : null}
      {job.error ? <ErrorState error={job.error} retry={() => job.refetch()} /> : null}
      {job.data ? <JobSummary job={job.data} /> : null}
      <Link to={`/sync-jobs/${jobId}`}>Job details</Link>
    </section>
  );
}
