import { Link, useParams, useSearchParams } from "react-router";
import type { components } from "../../api/schema";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { detailFallback } from "../../components/DetailGate";
import { Pagination } from "../../components/Pagination";
import { Empty } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { counted, dateTime } from "../../lib/format";
import { PAGE_SIZE, pageFromSearch } from "../../lib/pagination";
import { useRule } from "./queries";
import {
  canOfferUndo,
  changeText,
  firstMetric,
  isOutcome,
  OUTCOMES,
  type Outcome,
  outcomeWord,
  platformWord,
  triggerWord,
  undoneRunId,
  verdictParts,
  windowText,
} from "./RunPageFormat";
import { type OutcomeCounts, useOutcomeCounts, useRun, useUndoRun } from "./runQueries";

type Run = components["schemas"]["RunDetail"];
type RunObject = components["schemas"]["RunObjectRead"];

const OUTCOME_BADGE: Record<Outcome, string> = { applied: "ok", skipped: "warn", no_match: "" };
const PLATFORM_BADGE: Partial<Record<RunObject["platform_status"], string>> = {
  succeeded: "ok",
  failed: "bad",
  pending: "warn",
  pushing: "warn",
};

/** The changes an undo would put back, as far as this page of objects shows them. */
function restorable(run: Run): RunObject[] {
  return run.objects.items.filter(
    (o) => o.outcome === "applied" && o.action !== "notify" && o.undone_at === null,
  );
}

function UndoButton({ run }: { run: Run }) {
  const undo = useUndoRun(run.id);
  // Kept while the API's refusal is on screen, even when the re-read run is no longer undoable.
  if (!canOfferUndo(run) && !undo.isPending && !undo.isError) return null;
  const shown = restorable(run);
  return (
    <ConfirmDialog
      trigger="Undo"
      triggerLabel="Undo this run"
      title="Undo this run?"
      confirm="Undo run"
      pending={undo.isPending}
      error={undo.error ? errorMessage(undo.error) : undefined}
      onOpenChange={(open) => {
        if (!open) undo.reset();
      }}
      onConfirm={(close) => undo.mutate(undefined, { onSuccess: () => close() })}
    >
      <p>
        AdScale puts back what this run changed ({counted(run.campaigns_affected, "object")}): the
        status, daily budget or bid each had before, here and on the ad platform for campaigns
        linked to one.
      </p>
      {shown.length > 0 ? (
        <ul>
          {shown.map((o) => (
            <li key={o.id}>
              {o.ad_group_name ?? o.campaign_name}:{" "}
              {changeText({ ...o, old_value: o.new_value, new_value: o.old_value })}
            </li>
          ))}
        </ul>
      ) : null}
      <p>If any of them has changed since the run, nothing is restored.</p>
    </ConfirmDialog>
  );
}

function Summary({ run }: { run: Run }) {
  const rule = useRule(run.rule_id);
  const name = rule.data?.name;
  const undid = undoneRunId(run, run.objects.items);
  return (
    <>
      <div className="page-head">
        <h1>
          {name ? `Run of ${name}` : "Rule run"}
          {run.dry_run ? <span className="badge heading-badge">dry run</span> : null}
          {run.undone_at ? <span className="badge bad heading-badge">undone</span> : null}
        </h1>
        <div className="actions">
          <UndoButton run={run} />
        </div>
      </div>
      {run.dry_run ? (
        <p className="notice">
          A dry run: it shows what the rule would have done; nothing was changed.
        </p>
      ) : null}
      {run.undone_at ? (
        <p className="notice" role="status">
          Undone on {dateTime(run.undone_at)}: what it changed was put back.
        </p>
      ) : null}
      <dl className="facts">
        <dt>Rule</dt>
        <dd>
          <Link to={`/rules/${run.rule_id}`}>{name ?? "Back to the rule"}</Link>
        </dd>
        <dt>Trigger</dt>
        <dd>
          {triggerWord(run)}
          {undid ? (
            <>
              {" "}
              of <Link to={`/rule-runs/${undid}`}>the run it put back</Link>
            </>
          ) : null}
        </dd>
        <dt>Metrics window</dt>
        <dd>{windowText(run)}</dd>
        <dt>Started</dt>
        <dd>{dateTime(run.started_at)}</dd>
        <dt>Finished</dt>
        <dd>{run.finished_at ? dateTime(run.finished_at) : "still running"}</dd>
        <dt>Judged</dt>
        <dd>{counted(run.campaigns_evaluated, "object")}</dd>
        <dt>{run.dry_run ? "Would change" : "Changed"}</dt>
        <dd>{counted(run.campaigns_affected, "object")}</dd>
        {run.undone_at ? (
          <>
            <dt>Undone</dt>
            <dd>{dateTime(run.undone_at)}</dd>
          </>
        ) : null}
      </dl>
    </>
  );
}

function OutcomeFilter({
  current,
  counts,
  all,
}: {
  current: Outcome | null;
  counts: OutcomeCounts | undefined;
  all: number;
}) {
  const tabs: { id: Outcome | null; label: string; n: number | undefined }[] = [
    { id: null, label: "All", n: all },
    ...OUTCOMES.map((o) => ({ id: o.id, label: o.label, n: counts?.[o.id] })),
  ];
  return (
    <nav className="filter-tabs" aria-label="Filter by outcome">
      <ul>
        {tabs.map((t) => (
          <li key={t.id ?? "all"}>
            <Link
              to={{ search: t.id ? `?outcome=${t.id}` : "" }}
              aria-current={t.id === current ? "true" : undefined}
            >
              {t.label}
              {t.n === undefined ? "" : ` (${t.n})`}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function ObjectCell({ object: o }: { object: RunObject }) {
  if (o.object_type === "ad_group") {
    return (
      <th scope="row">
        {o.ad_group_id ? (
          <Link to={`/ad-groups/${o.ad_group_id}`}>{o.ad_group_name}</Link>
        ) : (
          o.ad_group_name
        )}
        <div className="muted">ad group in {o.campaign_name}</div>
      </th>
    );
  }
  return (
    <th scope="row">
      {o.campaign_id ? (
        <Link to={`/campaigns/${o.campaign_id}`}>{o.campaign_name}</Link>
      ) : (
        o.campaign_name
      )}
      <div className="muted">campaign</div>
    </th>
  );
}

function Verdicts({ object: o }: { object: RunObject }) {
  if (o.evaluation.length === 0) return <>—</>;
  return (
    <ul className="verdicts">
      {o.evaluation.map((v, i) => {
        const p = verdictParts(v);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: filters have no id; their order is fixed
          <li key={i}>
            {p.any ? <span className="muted">any: </span> : null}
            {p.text}{" "}
            <span className={p.held ? "held" : "not-held"} aria-hidden="true">
              {p.held ? "✓" : "✗"}
            </span>
            <span className="visually-hidden">{p.held ? "(holds)" : "(does not hold)"}</span>
            {p.window ? <span className="muted"> {p.window}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

function ObjectRow({ object: o, dryRun }: { object: RunObject; dryRun: boolean }) {
  return (
    <tr>
      <ObjectCell object={o} />
      <td>
        <span className={`badge nowrap ${OUTCOME_BADGE[o.outcome]}`}>{outcomeWord(o.outcome)}</span>
        {o.outcome === "skipped" ? <div className="reason">{o.reason}</div> : null}
      </td>
      <td>
        <Verdicts object={o} />
      </td>
      <td className="nowrap">{firstMetric(o)}</td>
      <td>{changeText(o)}</td>
      <td>
        {o.platform_status === "not_applicable" ? (
          platformWord(o, dryRun)
        ) : (
          <span className={`badge nowrap ${PLATFORM_BADGE[o.platform_status] ?? ""}`}>
            {platformWord(o, dryRun)}
          </span>
        )}
        {o.platform_error ? <div className="reason">{o.platform_error}</div> : null}
        {o.platform_status === "succeeded" && o.platform_pushed_at ? (
          <div className="reason muted">{dateTime(o.platform_pushed_at)}</div>
        ) : null}
      </td>
      <td>{o.undone_at ? <span className="badge bad">undone</span> : null}</td>
    </tr>
  );
}

function Objects({ run, outcome, page }: { run: Run; outcome: Outcome | null; page: number }) {
  const [, setParams] = useSearchParams();
  const counts = useOutcomeCounts(run.id);
  const all = counts.data
    ? counts.data.applied + counts.data.skipped + counts.data.no_match
    : run.campaigns_evaluated;
  const objects = run.objects;
  const word = outcome ? outcomeWord(outcome) : null;
  return (
    <section aria-labelledby="objects-title">
      <h2 id="objects-title">Objects judged</h2>
      <OutcomeFilter current={outcome} counts={counts.data} all={all} />
      {objects.total === 0 ? (
        <Empty title={word ? `No object with the outcome “${word}”` : "This run judged no object"}>
          {word ? <Link to={{ search: "" }}>Show every object</Link> : null}
        </Empty>
      ) : (
        <>
          <table>
            <caption className="muted">
              {counted(objects.total, word ? `${word} object` : "object")}
              {word ? "" : ", acted on first"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Outcome</th>
                <th scope="col">Filters</th>
                <th scope="col">Metric</th>
                <th scope="col">Change</th>
                <th scope="col">Platform</th>
                <th scope="col">Undone</th>
              </tr>
            </thead>
            <tbody>
              {objects.items.map((o) => (
                <ObjectRow key={o.id} object={o} dryRun={run.dry_run} />
              ))}
            </tbody>
          </table>
          <Pagination
            page={page}
            total={objects.total}
            size={PAGE_SIZE}
            onPage={(next) => setParams({ ...(outcome ? { outcome } : {}), page: String(next) })}
          />
        </>
      )}
    </section>
  );
}

/** One run of a rule: what it judged, each object's verdicts, changes and push; undo. */
export default function RunPage() {
  const runId = useParams().runId ?? "";
  const [params] = useSearchParams();
  const raw = params.get("outcome");
  const outcome = isOutcome(raw) ? raw : null;
  const page = pageFromSearch(params.get("page"));
  const run = useRun(runId, outcome, page);
  const fallback = detailFallback(run, {
    loading: "Loading run…",
    notFound: "Run not found",
    back: { to: "/rules", label: "Back to rules" },
  });
  if (fallback || !run.data) return fallback;
  return (
    <>
      <Summary run={run.data} />
      <Objects run={run.data} outcome={outcome} page={page} />
    </>
  );
}
