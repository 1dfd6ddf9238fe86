import { zodResolver } from "@hookform/resolvers/zod";
import { type ReactNode, useId } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { Field, FormActions } from "../../components/Field";
import { applyServerError } from "../../lib/forms";
import { RULE_TYPES, type RuleFormValues, ruleFormSchema } from "./schema";

type Output = z.output<typeof ruleFormSchema>;

interface RuleFormProps {
  title: string;
  submitLabel: string;
  initial: RuleFormValues;
  onSubmit: (values: Output) => Promise<unknown>;
  /** After a create: empty again for the next rule. */
  resetOnSave?: boolean;
  cancel?: ReactNode;
}

/** A rule's name, type, threshold, days judged and schedule: the create and edit form. */
export function RuleForm(props: RuleFormProps) {
  const { title, submitLabel, initial, onSubmit, resetOnSave, cancel } = props;
  const titleId = useId();
  const form = useForm<RuleFormValues, unknown, Output>({
    resolver: zodResolver(ruleFormSchema),
    defaultValues: initial,
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
      if (resetOnSave) form.reset(initial);
    } catch (error) {
      applyServerError(error, form.setError, [
        "name",
        "rule_type",
        "threshold",
        "lookback_days",
        "is_active",
      ]);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
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
      <FormActions
        error={errors.root?.server?.message}
        cancel={cancel}
        pending={isSubmitting}
        label={submitLabel}
      />
    </form>
  );
}
