import { useId } from "react";
import { type UseFormReturn, useFieldArray } from "react-hook-form";
import { Field } from "../../components/Field";
import type { ErrorOf } from "./BuilderErrors";
import { newRow } from "./conditions";
import {
  isRange,
  METRICS,
  type Metric,
  metricInfo,
  OPERATORS,
  unitLabel,
  WINDOWS,
  windowLabel,
} from "./conditionsTerms";
import { MAX_CONDITIONS, type RuleFormValues } from "./schema";

interface BuilderConditionsProps {
  form: UseFormReturn<RuleFormValues>;
  values: RuleFormValues;
  errorOf: ErrorOf;
  group: "filters" | "any";
  legend: string;
  /** Each row's legend, numbered: "Condition 1". */
  row: string;
  add: string;
  hint: string;
}

function metricOption(metric: Metric): string {
  const info = METRICS[metric];
  const unit = unitLabel(metric);
  const shown = unit && unit !== "days" ? `${info.label} (${unit})` : info.label;
  return metricInfo(metric).adGroups ? `${shown}, ad groups` : shown;
}

function withUnit(label: string, metric: Metric): string {
  const unit = unitLabel(metric);
  return unit ? `${label} (${unit})` : label;
}

/** One list of conditions ("All of these" / "And at least one of these"), rows added and removed. */
export function BuilderConditions(props: BuilderConditionsProps) {
  const { form, values, errorOf, group, legend, row, add, hint } = props;
  const { fields, append, remove } = useFieldArray({ control: form.control, name: group });
  const hintId = useId();
  const groupError = errorOf(group);
  return (
    <fieldset aria-describedby={hintId}>
      <legend>{legend}</legend>
      <p className="hint" id={hintId}>
        {hint}
      </p>
      {fields.map((field, index) => {
        const current = values[group][index] ?? field;
        const at = `${group}.${index}` as const;
        const still = metricInfo(current.metric).still === true;
        const windows: string[] = WINDOWS.includes(current.window as (typeof WINDOWS)[number])
          ? [...WINDOWS]
          : [current.window, ...WINDOWS];
        return (
          <fieldset key={field.id} className="condition">
            <legend>
              {row} {index + 1}
            </legend>
            <div className="condition-fields">
              <Field label="Metric" error={errorOf(`${at}.metric`)}>
                {(p) => (
                  <select {...p} {...form.register(`${at}.metric`)}>
                    {(Object.keys(METRICS) as Metric[]).map((metric) => (
                      <option key={metric} value={metric}>
                        {metricOption(metric)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Operator" error={errorOf(`${at}.operator`)}>
                {(p) => (
                  <select {...p} {...form.register(`${at}.operator`)}>
                    {Object.entries(OPERATORS).map(([value, label]) => (
                      <option key={value} value={value}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field
                label={withUnit(isRange(current.operator) ? "From" : "Value", current.metric)}
                error={errorOf(`${at}.value`)}
              >
                {(p) => <input {...p} inputMode="decimal" {...form.register(`${at}.value`)} />}
              </Field>
              {isRange(current.operator) ? (
                <Field label={withUnit("To", current.metric)} error={errorOf(`${at}.high`)}>
                  {(p) => <input {...p} inputMode="decimal" {...form.register(`${at}.high`)} />}
                </Field>
              ) : null}
              {still ? (
                <p className="hint condition-still">Its value now: no time range.</p>
              ) : (
                <Field label="Time range" error={errorOf(`${at}.window`)}>
                  {(p) => (
                    <select {...p} {...form.register(`${at}.window`)}>
                      {windows.map((w) => (
                        <option key={w} value={w}>
                          {windowLabel(w)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              )}
              <button
                type="button"
                className="button secondary condition-remove"
                aria-label={`Remove ${row.toLowerCase()} ${index + 1}`}
                onClick={() => remove(index)}
              >
                Remove
              </button>
            </div>
          </fieldset>
        );
      })}
      {groupError ? (
        <div className="field-error" role="alert">
          {groupError}
        </div>
      ) : null}
      <button
        type="button"
        className="button secondary"
        disabled={fields.length >= MAX_CONDITIONS}
        onClick={() => append(newRow())}
      >
        {add}
      </button>
    </fieldset>
  );
}
