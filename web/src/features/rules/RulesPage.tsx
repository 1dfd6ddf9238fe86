import { Link } from "react-router";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { dateTime } from "../../lib/format";
import { emptyRule, ruleCreateBody } from "./conditions";
import { expandConditions } from "./conditionsPresets";
import { describeRule } from "./describe";
import { useCreateRule, useRules } from "./queries";
import { RuleForm } from "./RuleForm";

const NEW_RULE = emptyRule();

function CreateRule() {
  const create = useCreateRule();
  return (
    <RuleForm
      title="New rule"
      submitLabel="Create rule"
      initial={NEW_RULE}
      resetOnSave
      onSubmit={(values) => create.mutateAsync(ruleCreateBody(values))}
    />
  );
}

export default function RulesPage() {
  const rules = useRules(useUrlPage());
  return (
    <>
      <h1>Rules</h1>
      <CreateRule />
      {rules.isPending ? <Loading label="Loading rules…" /> : null}
      {rules.error ? <ErrorState error={rules.error} retry={() => rules.refetch()} /> : null}
      {rules.data && rules.data.items.length === 0 ? (
        <Empty title="No rules yet">
          <p>Rules pause, turn on or re-budget campaigns and ad groups from their metrics.</p>
        </Empty>
      ) : null}
      {rules.data && rules.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">{rules.data.total} rules</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">What it does</th>
                <th scope="col">Automatic</th>
                <th scope="col">Last executed</th>
                <th scope="col" className="num">
                  Executions
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.data.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/rules/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>{describeRule(expandConditions(r.rule_type, r.threshold, r.conditions))}</td>
                  <td>{r.is_active ? "yes" : "no"}</td>
                  <td>{r.last_executed ? dateTime(r.last_executed) : "never"}</td>
                  <td className="num">{r.executions_count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <UrlPagination total={rules.data.total} />
        </>
      ) : null}
    </>
  );
}
