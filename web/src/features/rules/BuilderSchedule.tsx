import { Controller, type UseFormReturn } from "react-hook-form";
import { Field } from "../../components/Field";
import { TimeZoneInput } from "../../components/TimeZoneInput";
import { BuilderChecks } from "./BuilderChecks";
import type { ErrorOf } from "./BuilderErrors";
import { FREQUENCIES, HOURS, hourLabel, WEEKDAYS } from "./conditionsTerms";
import type { RuleFormValues } from "./schema";

interface SectionProps {
  form: UseFormReturn<RuleFormValues>;
  values: RuleFormValues;
  errorOf: ErrorOf;
}

const DAY_OPTIONS = Object.entries(WEEKDAYS) as [keyof typeof WEEKDAYS, string][];
const HOUR_OPTIONS = HOURS.map((h) => [h, hourLabel(h)] as const);

const FREQUENCY_HINTS: Record<RuleFormValues["schedule"]["frequency"], string> = {
  none: "No schedule: an automatic rule runs on the service's own interval (RULES_INTERVAL_SECONDS, every hour unless the operator changed it).",
  continuous: "Every half hour.",
  hourly: "At the start of every hour.",
  daily: "Once a day at the time below.",
  custom: "On the days and at the hours below.",
};

/** "Schedule": when an automatic rule runs (conditions.schedule), or none. */
export function BuilderSchedule({ form, values, errorOf }: SectionProps) {
  const { frequency } = values.schedule;
  return (
    <fieldset>
      <legend>Schedule</legend>
      <div className="grid-2">
        <Field
          label="Frequency"
          error={errorOf("schedule.frequency")}
          hint={FREQUENCY_HINTS[frequency]}
        >
          {(p) => (
            <select {...p} {...form.register("schedule.frequency")}>
              {Object.entries(FREQUENCIES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {frequency === "daily" ? (
          <Field label="Time" error={errorOf("schedule.time")}>
            {(p) => <input {...p} type="time" {...form.register("schedule.time")} />}
          </Field>
        ) : null}
        {frequency !== "none" ? (
          <Field
            label="Time zone"
            error={errorOf("schedule.time_zone")}
            hint="Optional, e.g. Europe/Paris; empty: your oldest ad account's zone, else UTC."
          >
            {(p) => <TimeZoneInput {...p} {...form.register("schedule.time_zone")} />}
          </Field>
        ) : null}
      </div>
      {frequency === "custom" ? (
        <>
          <Controller
            control={form.control}
            name="schedule.days"
            render={({ field }) => (
              <BuilderChecks
                legend="Days"
                options={DAY_OPTIONS}
                value={field.value}
                onChange={field.onChange}
                error={errorOf("schedule.days")}
                hint="None ticked: every day."
              />
            )}
          />
          <Controller
            control={form.control}
            name="schedule.hours"
            render={({ field }) => (
              <BuilderChecks
                legend="Hours"
                options={HOUR_OPTIONS}
                value={field.value}
                onChange={field.onChange}
                error={errorOf("schedule.hours")}
                hint="None ticked: at 00:00."
              />
            )}
          />
        </>
      ) : null}
    </fieldset>
  );
}
