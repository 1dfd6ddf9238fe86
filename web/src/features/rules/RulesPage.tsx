import { Link } from "react-router";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { dateTime } from "../../lib/format";
import { useCreateRule, useRules } from "./queries";
import { RuleForm } from "./RuleForm";
import { emptyRule, RULE_TYPES, ruleBody } from "./schema";

function CreateRule() {
  const create = useCreateRule();
  return (
    <RuleForm
      title="New rule"
      submitLabel="Create rule"
      initial={emptyRule}
      resetOnSave
      onSubmit={(values) => create.mutateAsync(ruleBody(values))}
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
          <p>Rules pause or re-budget campaigns from their metrics.</p>
        </Empty>
      ) : null}
      {rules.data && rules.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">{rules.data.total} rules</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">When</th>
                <th scope="col" className="num">
                  Threshold
                </th>
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
                  <td>{RULE_TYPES[r.rule_type as keyof typeof RULE_TYPES] ?? r.rule_type}</td>
                  <td className="num">{r.threshold}</td>
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
