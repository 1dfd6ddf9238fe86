import { Link, useParams } from "react-router";
import type { components } from "../../api/schema";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { NotFound } from "../../components/NotFound";
import { ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { counted, dateTime } from "../../lib/format";
import { Backtest } from "./Backtest";
import { RuleSummary } from "./BuilderSummary";
import { useExecuteRule, useRule } from "./queries";
import { RuleHistory } from "./RuleHistory";

type Result = components["schemas"]["ExecuteResult"];

/** What a rule judges: ad groups when its scope says so, else campaigns. */
function levelWord(conditions: Record<string, unknown>): string {
  const scope = conditions.scope;
  const level =
    typeof scope === "object" && scope !== null && "level" in scope ? scope.level : null;
  return level === "ad_group" ? "ad group" : "campaign";
}

function Actions({ result, word }: { result: Result; word: string }) {
  return (
    <section className="panel" aria-label={result.dry_run ? "Dry run result" : "Execution result"}>
      <h2>{result.dry_run ? "What would happen now (dry run)" : "What the rule did"}</h2>
      <p role="status">
        {counted(result.campaigns_evaluated, word)} judged on {result.window_start} to{" "}
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
        <div className="span-all">
          <dt className="muted">What it does</dt>
          <dd>
            <RuleSummary id={id} />
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
      {dryRun.data ? <Actions result={dryRun.data} word={levelWord(r.conditions)} /> : null}
      {execute.data ? <Actions result={execute.data} word={levelWord(r.conditions)} /> : null}
      <RuleHistory ruleId={id} lastExecuted={r.last_executed} />
      <Backtest ruleId={id} />
    </>
  );
}
