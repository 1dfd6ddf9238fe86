import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { detailFallback } from "../../components/DetailGate";
import { FormError } from "../../components/Field";
import { LazySeriesChart } from "../../components/LazyChart";
import { Empty, ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { count, dateTime } from "../../lib/format";
import { JobProgress } from "./JobProgress";
import { PLATFORM_NAMES } from "./platforms";
import { matchRateSeries } from "./progress";
import { useAudience, useDeleteAudience, useHistory, useTriggerSync } from "./queries";

function SyncNow({
  audienceId,
  onStarted,
}: {
  audienceId: string;
  onStarted: (job: string) => void;
}) {
  const [operation, setOperation] = useState<"update" | "replace">("update");
  const sync = useTriggerSync(audienceId);
  return (
    <form
      className="panel"
      aria-labelledby="sync-now-title"
      onSubmit={(event) => {
        event.preventDefault();
        sync.mutate(operation, { onSuccess: (started) => onStarted(started.job_id) });
      }}
    >
      <h2 id="sync-now-title">Sync now</h2>
      <fieldset>
        <legend>Operation</legend>
        <div className="radio-row">
          <label>
            <input
              type="radio"
              name="operation"
              value="update"
              checked={operation === "update"}
              onChange={() => setOperation("update")}
            />{" "}
            Update (send the changes)
          </label>
          <label>
            <input
              type="radio"
              name="operation"
              value="replace"
              checked={operation === "replace"}
              onChange={() => setOperation("replace")}
            />{" "}
            Replace (the platform's list becomes the segment)
          </label>
        </div>
      </fieldset>
      {sync.data ? (
        <p className="muted">
          Estimated: {count(sync.data.estimated_changes.to_add)} to add,{" "}
          {count(sync.data.estimated_changes.to_remove)} to remove of{" "}
          {count(sync.data.segment_size)} profiles.
        </p>
      ) : null}
      <FormError message={sync.error ? errorMessage(sync.error) : undefined} />
      <button type="submit" className="button primary" disabled={sync.isPending}>
        {sync.isPending ? "Starting…" : "Sync now"}
      </button>
    </form>
  );
}

function History({ audienceId }: { audienceId: string }) {
  const history = useHistory(audienceId);
  if (history.isPending) return <Loading label="Loading sync history…" />;
  if (history.error) return <ErrorState error={history.error} retry={() => history.refetch()} />;
  const { summary, history: jobs } = history.data;
  if (jobs.length === 0) return <Empty title="No syncs in the last 30 days" />;
  const points = matchRateSeries(jobs).map((p) => ({ date: p.date, matchRate: p.matchRate }));
  return (
    <>
      <p className="muted">
        {summary.total_syncs} syncs in 30 days: {summary.successful} successful, {summary.failed}{" "}
        failed, average match rate{" "}
        {summary.avg_match_rate === null ? "—" : `${summary.avg_match_rate}%`}.
      </p>
      {points.length > 0 ? (
        <LazySeriesChart
          points={points}
          xKey="date"
          yKey="matchRate"
          name="Match rate (%)"
          title="Match rate per sync"
          yMax={100}
        />
      ) : null}
      <table>
        <caption className="muted">Sync history</caption>
        <thead>
          <tr>
            <th scope="col">Finished</th>
            <th scope="col">Operation</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Sent
            </th>
            <th scope="col" className="num">
              Match rate
            </th>
            <th scope="col">
              <span className="muted">Job</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.job_id}>
              <td>{dateTime(j.completed_at)}</td>
              <td>{j.operation}</td>
              <td>{j.status}</td>
              <td className="num">{count(j.profiles_sent)}</td>
              <td className="num">{j.match_rate === null ? "—" : `${j.match_rate}%`}</td>
              <td>
                <Link to={`/sync-jobs/${j.job_id}`} aria-label={`Job ${j.job_id}`}>
                  Details
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export default function AudiencePage() {
  const id = useParams().audienceId ?? "";
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const audience = useAudience(id);
  const remove = useDeleteAudience();
  const [onPlatform, setOnPlatform] = useState(true);
  const initialJob = (location.state as { jobId?: string } | null)?.jobId ?? null;
  const [jobId, setJobId] = useState<string | null>(initialJob);
  const fallback = detailFallback(audience, {
    loading: "Loading audience…",
    notFound: "Audience not found",
    back: { to: "/audiences", label: "Back to audiences" },
  });
  if (fallback || !audience.data) return fallback;
  const a = audience.data;
  const settled = () => {
    client.invalidateQueries({ queryKey: ["audience", id] });
    client.invalidateQueries({ queryKey: ["audience-history", id] });
  };
  return (
    <>
      <div className="page-head">
        <h1>{a.platform_audience_name}</h1>
        <div className="actions">
          <ConfirmDialog
            trigger="Delete audience"
            title={`Delete ${a.platform_audience_name}?`}
            confirm="Delete audience"
            pending={remove.isPending}
            error={remove.error ? errorMessage(remove.error) : undefined}
            onConfirm={(close) =>
              remove.mutate(
                { id, onPlatform },
                {
                  onSuccess: () => {
                    close();
                    navigate("/audiences", { replace: true });
                  },
                },
              )
            }
          >
            <p>Its sync history goes with it; the segment stays.</p>
            <label>
              <input
                type="checkbox"
                checked={onPlatform}
                onChange={(event) => setOnPlatform(event.target.checked)}
              />{" "}
              Also delete it on {PLATFORM_NAMES[a.platform]}
            </label>
          </ConfirmDialog>
        </div>
      </div>
      <dl className="facts">
        <dt>Platform</dt>
        <dd>
          {PLATFORM_NAMES[a.platform]} · ad account {a.ad_account_id}
          {a.platform_audience_id ? ` · audience ${a.platform_audience_id}` : ""}
        </dd>
        <dt>Segment</dt>
        <dd>
          <Link to={`/segments/${a.segment_id}`}>{a.segment_name}</Link> (
          {count(a.segment_profile_count)} profiles)
        </dd>
        <dt>Size on the platform</dt>
        <dd>
          {count(a.platform_size)} · matched {count(a.matched_size)} · match rate{" "}
          {a.match_rate === null ? "—" : `${a.match_rate}%`}
        </dd>
        <dt>Sync</dt>
        <dd>
          {a.is_active ? "active" : "paused"} ·{" "}
          {a.auto_sync ? `every ${a.sync_interval_hours} h` : "by hand only"} · last{" "}
          {a.last_sync_status ?? "never"} {dateTime(a.last_sync_at)}
        </dd>
        <dt>Identifiers sent</dt>
        <dd>{a.identifier_fields.join(", ")}</dd>
      </dl>
      <SyncNow audienceId={id} onStarted={setJobId} />
      {jobId ? <JobProgress key={jobId} jobId={jobId} onSettled={settled} /> : null}
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <History audienceId={id} />
      </section>
    </>
  );
}
