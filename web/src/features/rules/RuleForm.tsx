import { zodResolver } from "@hookform/resolvers/zod";
import { type ReactNode, useId } from "react";
import { useForm } from "react-hook-form";
import { Field, FormActions } from "../../components/Field";
import { BuilderAction } from "./BuilderAction";
import { BuilderConditions } from "./BuilderConditions";
import { builderErrors } from "./BuilderErrors";
import { BuilderSchedule } from "./BuilderSchedule";
import { BuilderScope } from "./BuilderScope";
import { conditionsBody, keptNames, templateParts } from "./conditions";
import { placeServerError } from "./conditionsErrors";
import type { RuleType } from "./conditionsTerms";
import { describeRule } from "./describe";
import { RULE_TYPES, type RuleFormValues, ruleFormSchema } from "./schema";

interface RuleFormProps {
  title: string;
  submitLabel: string;
  initial: RuleFormValues;
  onSubmit: (values: RuleFormValues) => Promise<unknown>;
  /** After a create: empty again for the next rule. */
  resetOnSave?: boolean;
  cancel?: ReactNode;
}

/**
 * The rule builder, for create and edit, in the order of Ads Manager's automated rules: name
 * and template, what it applies to, the action, the conditions, the minimums, the schedule;
 * and above the buttons the rule in one sentence.
 */
export function RuleForm(props: RuleFormProps) {
  const { title, submitLabel, initial, onSubmit, resetOnSave, cancel } = props;
  const titleId = useId();
  const summaryId = useId();
  const form = useForm<RuleFormValues>({
    resolver: zodResolver(ruleFormSchema),
    defaultValues: initial,
  });
  const { errors, isSubmitting } = form.formState;
  const values = form.watch();
  const errorOf = builderErrors(errors, values);
  const kept = keptNames(values);
  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit(v);
      if (resetOnSave) form.reset(initial);
    } catch (error) {
      placeServerError(error, form.setError);
    }
  });
  const applyTemplate = (ruleType: RuleType) => {
    const template = templateParts(ruleType, form.getValues("lookback_days"));
    form.setValue("filters", template.filters, { shouldDirty: true });
    form.setValue("any", [], { shouldDirty: true });
    form.setValue("action", template.action, { shouldDirty: true });
    form.setValue("scope.level", "campaign", { shouldDirty: true });
    form.setValue("threshold", "");
    form.setValue("threshold_seen", "");
    form.clearErrors(["filters", "any", "action"]);
  };
  const section = { form, values, errorOf };
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <div className="grid-2">
        <Field label="Name" error={errorOf("name")}>
          {(p) => <input {...p} {...form.register("name")} />}
        </Field>
        <Field
          label="Template"
          error={errorOf("rule_type")}
          hint="Choosing one replaces the action and the conditions with the template's, to start from; the API files the rule under it."
        >
          {(p) => (
            <select
              {...p}
              {...form.register("rule_type", {
                onChange: (event) => applyTemplate(event.target.value as RuleType),
              })}
            >
              {Object.entries(RULE_TYPES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <BuilderScope {...section} />
      <BuilderAction {...section} />
      <fieldset>
        <legend>Conditions</legend>
        <BuilderConditions
          {...section}
          group="filters"
          legend="All of these"
          row="Condition"
          add="Add condition"
          hint="Each must hold. A metric with no value (ROAS without spend…) does not hold."
        />
        <BuilderConditions
          {...section}
          group="any"
          legend="And at least one of these"
          row="Alternative"
          add="Add alternative"
          hint="Optional: when given, one of them must hold too."
        />
      </fieldset>
      <fieldset>
        <legend>Judge only after</legend>
        <div className="grid-2">
          <Field label="Minimum spend ($)" error={errorOf("min_spend")} hint="Optional.">
            {(p) => <input {...p} inputMode="decimal" {...form.register("min_spend")} />}
          </Field>
          <Field label="Minimum impressions" error={errorOf("min_impressions")} hint="Optional.">
            {(p) => <input {...p} inputMode="numeric" {...form.register("min_impressions")} />}
          </Field>
          <Field
            label="Minimums over the last (days)"
            error={errorOf("lookback_days")}
            hint="The days both minimums are counted over, ending today."
          >
            {(p) => <input {...p} inputMode="numeric" {...form.register("lookback_days")} />}
          </Field>
          <Field
            label="Cooldown (hours)"
            error={errorOf("cooldown_hours")}
            hint="After acting on one, the rule leaves it alone this long."
          >
            {(p) => <input {...p} inputMode="numeric" {...form.register("cooldown_hours")} />}
          </Field>
        </div>
      </fieldset>
      <BuilderSchedule {...section} />
      <label>
        <input type="checkbox" {...form.register("is_active")} /> Run automatically on schedule
      </label>
      {kept.length > 0 ? (
        <div className="notice" role="note">
          This rule has settings the builder does not show: {kept.join(", ")}. They are kept as they
          are when you save.
        </div>
      ) : null}
      <section className="rule-summary" aria-labelledby={summaryId}>
        <h3 id={summaryId}>Summary</h3>
        <p>{describeRule(conditionsBody(values))}</p>
      </section>
      <FormActions
        error={errors.root?.server?.message}
        cancel={cancel}
        pending={isSubmitting}
        label={submitLabel}
      />
    </form>
  );
}
