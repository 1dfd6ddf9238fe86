import type { UseFormReturn } from "react-hook-form";
import { Field } from "../../components/Field";
import type { ErrorOf } from "./BuilderErrors";
import { ACTIONS, BUDGET_ACTIONS, byPercent, movesAmount } from "./conditionsTerms";
import type { RuleFormValues } from "./schema";

interface SectionProps {
  form: UseFormReturn<RuleFormValues>;
  values: RuleFormValues;
  errorOf: ErrorOf;
}

const HINTS: Partial<Record<RuleFormValues["action"]["type"], string>> = {
  pause: "Pauses each match, here and on its platform.",
  unpause: "Turns each match back on; it then looks at paused ones unless statuses say otherwise.",
  notify: "Changes nothing: records each match and sends the rule.executed webhook.",
  change_budget: "Campaigns with a daily budget; a budget never goes below $1.00.",
  set_budget: "Campaigns with a daily budget; a budget never goes below $1.00.",
  change_bid: "Ad groups with a manual bid; a bid never goes below $0.01.",
  set_bid: "Ad groups with a manual bid; a bid never goes below $0.01.",
};

/** "Action": what the rule does to each match, with only the fields that action takes. */
export function BuilderAction({ form, values, errorOf }: SectionProps) {
  const { type } = values.action;
  const budget = BUDGET_ACTIONS.includes(type);
  const what = budget ? "budget" : "bid";
  return (
    <fieldset>
      <legend>Action</legend>
      <div className="grid-2">
        <Field label="Action" error={errorOf("action.type")} hint={HINTS[type]}>
          {(p) => (
            <select {...p} {...form.register("action.type")}>
              {Object.entries(ACTIONS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {byPercent(type) ? (
          <>
            <Field label="Direction" error={errorOf("action.direction")}>
              {(p) => (
                <select {...p} {...form.register("action.direction")}>
                  <option value="up">Raise</option>
                  <option value="down">Lower</option>
                </select>
              )}
            </Field>
            <Field label="By (%)" error={errorOf("action.percent")}>
              {(p) => <input {...p} inputMode="decimal" {...form.register("action.percent")} />}
            </Field>
          </>
        ) : null}
        {movesAmount(type) && !byPercent(type) ? (
          <Field label={`New ${what} ($)`} error={errorOf("action.amount")}>
            {(p) => <input {...p} inputMode="decimal" {...form.register("action.amount")} />}
          </Field>
        ) : null}
      </div>
      {movesAmount(type) ? (
        <div className="grid-2">
          <Field label="Never below ($)" error={errorOf("action.min")} hint="Optional.">
            {(p) => <input {...p} inputMode="decimal" {...form.register("action.min")} />}
          </Field>
          <Field label="Never above ($)" error={errorOf("action.max")} hint="Optional.">
            {(p) => <input {...p} inputMode="decimal" {...form.register("action.max")} />}
          </Field>
          <Field
            label="Largest change per run (%)"
            error={errorOf("action.max_change_percent")}
            hint={`One run never moves a ${what} by more than this.`}
          >
            {(p) => (
              <input {...p} inputMode="decimal" {...form.register("action.max_change_percent")} />
            )}
          </Field>
        </div>
      ) : null}
    </fieldset>
  );
}
