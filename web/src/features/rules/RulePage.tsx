import { Link, useParams } from "react-router";
import type { components } from "../../api/schema";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { NotFound } from "../../components/NotFound";
import { Empty, ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { dateTime } from "../../lib/format";
import { useExecuteRule, useExecutions, useRule } from "./queries";
import { RULE_TYPES } from "./schema";

type Result = components["schemas"]["ExecuteResult"];

function Actions({ result }: { result: Result }) {
  return (
    <section className="panel" aria-label={result.dry_run ? "Dry run result" : "Execution result"}>
      <h2>{result.dry_run ? "What would happen now (dry run)" : "What the rule did"}</h2>
      <p role="status">
        {result.campaigns_evaluated} campaign(s) judged on {result.window_start} to{" "}
        {result.window_end}; {result.campaigns_affected}{" "}
        {result.dry_run ? "would be changed" : "changed"}.
      </p>
      {result.actions_taken.length === 0 ? (
        <p className="muted">No action.</p>
      ) : (
        <ul>
          {result.actions_taken.map((action) => (
            <li key={action}>{action}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function RulePage() {
  const id = useParams().ruleId ?? "";
  const rule = useRule(id);
  const executions = useExecutions(id);
  const dryRun = useExecuteRule(id);
  const execute = useExecuteRule(id);
  if (rule.isPending) return <Loading label="Loading rule…" />;
  if (rule.error) {
    return (
      <NotFound
        error={rule.error}
        title="Rule not found"
        back={{ to: "/rules", label: "Back to rules" }}
        fallback={<ErrorState error={rule.error} retry={() => rule.refetch()} />}
      />
    );
  }
  const r = rule.data;
  return (
    <>
      <div className="page-head">
        <h1>{r.name}</h1>
        <div className="actions">
          <Link className="button secondary" to={`/rules/${id}/edit`}>
            Edit rule
          </Link>
          <button
            type="button"
            className="button secondary"
            disabled={dryRun.isPending}
            onClick={() => dryRun.mutate(true)}
          >
            {dryRun.isPending ? "Checking…" : "Dry run"}
          </button>
          <ConfirmDialog
            trigger="Execute now"
            title={`Execute ${r.name} now?`}
            confirm="Execute"
            pending={execute.isPending}
            error={execute.error ? errorMessage(execute.error) : undefined}
            onConfirm={(close) => execute.mutate(false, { onSuccess: () => close() })}
          >
            <p>The rule pauses or re-budgets the campaigns it matches, here and on the platform.</p>
          </ConfirmDialog>
        </div>
      </div>
      {dryRun.error ? (
        <div className="form-error" role="alert">
          {errorMessage(dryRun.error)}
        </div>
      ) : null}
      <dl className="panel grid-2">
        <div>
          <dt className="muted">When</dt>
          <dd>
            {RULE_TYPES[r.rule_type as keyof typeof RULE_TYPES] ?? r.rule_type} {r.threshold}
          </dd>
        </div>
        <div>
          <dt className="muted">Automatic</dt>
          <dd>{r.is_active ? "yes" : "no"}</dd>
        </div>
        <div>
          <dt className="muted">Last executed</dt>
          <dd>{r.last_executed ? dateTime(r.last_executed) : "never"}</dd>
        </div>
        <div>
          <dt className="muted">Executions</dt>
          <dd>{r.executions_count}</dd>
        </div>
      </dl>
      {dryRun.data ? <Actions result={dryRun.data} /> : null}
      {execute.data ? <Actions result={execute.data} /> : null}
      <h2>Past executions</h2>
      {executions.isPending ? <Loading label="Loading executions…" /> : null}
      {executions.error ? <ErrorState error={executions.error} /> : null}
      {executions.data && executions.data.items.length === 0 ? (
        <Empty title="Not executed yet" />
      ) : null}
      {executions.data && executions.data.items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Trigger</th>
              <th scope="col" className="num">
                Judged
              </th>
              <th scope="col" className="num">
                Changed
              </th>
            </tr>
          </thead>
          <tbody>
            {executions.data.items.map((e) => (
              <tr key={e.id}>
                <td>{dateTime(e.started_at)}</td>
                <td>{e.trigger}</td>
                <td className="num">{e.campaigns_evaluated}</td>
                <td className="num">{e.campaigns_affected}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
