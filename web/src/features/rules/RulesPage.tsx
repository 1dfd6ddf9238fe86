import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import type { z } from "zod";
import { Field, FormError } from "../../components/Field";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { dateTime } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import { useCreateRule, useRules } from "./queries";
import { RULE_TYPES, type RuleFormValues, ruleBody, ruleFormSchema } from "./schema";

function CreateRule() {
  const create = useCreateRule();
  const form = useForm<RuleFormValues, unknown, z.output<typeof ruleFormSchema>>({
    resolver: zodResolver(ruleFormSchema),
    defaultValues: {
      name: "",
      rule_type: "pause_low_roas",
      threshold: "",
      lookback_days: 7,
      is_active: true,
    },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await create.mutateAsync(ruleBody(values));
      form.reset();
    } catch (error) {
      applyServerError(error, form.setError, ["name", "rule_type", "threshold", "lookback_days"]);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="new-rule-title">
      <h2 id="new-rule-title">New rule</h2>
      <div className="grid-2">
        <Field label="Name" error={errors.name?.message}>
          {(p) => <input {...p} {...form.register("name")} />}
        </Field>
        <Field label="When" error={errors.rule_type?.message}>
          {(p) => (
            <select {...p} {...form.register("rule_type")}>
              {Object.entries(RULE_TYPES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Threshold" error={errors.threshold?.message}>
          {(p) => <input {...p} inputMode="decimal" {...form.register("threshold")} />}
        </Field>
        <Field label="Days of metrics judged" error={errors.lookback_days?.message}>
          {(p) => <input {...p} inputMode="numeric" {...form.register("lookback_days")} />}
        </Field>
      </div>
      <label>
        <input type="checkbox" {...form.register("is_active")} /> Run automatically on schedule
      </label>
      <FormError message={errors.root?.server?.message} />
      <div className="actions">
        <button type="submit" className="button primary" disabled={isSubmitting}>
          {isSubmitting ? "Creating…" : "Create rule"}
        </button>
      </div>
    </form>
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
