import { Controller, type UseFormReturn } from "react-hook-form";
import { Field } from "../../components/Field";
import { BuilderCampaigns } from "./BuilderCampaigns";
import { BuilderChecks } from "./BuilderChecks";
import type { ErrorOf } from "./BuilderErrors";
import { LEVELS, PLATFORMS, STATUSES } from "./conditionsTerms";
import type { RuleFormValues } from "./schema";

interface SectionProps {
  form: UseFormReturn<RuleFormValues>;
  values: RuleFormValues;
  errorOf: ErrorOf;
}

const STATUS_OPTIONS = Object.entries(STATUSES) as [keyof typeof STATUSES, string][];
const PLATFORM_OPTIONS = Object.entries(PLATFORMS) as [keyof typeof PLATFORMS, string][];

/** "Apply to": level, statuses, platforms, name, specific campaigns (conditions.scope). */
export function BuilderScope({ form, values, errorOf }: SectionProps) {
  const { scope } = values;
  return (
    <fieldset>
      <legend>Apply to</legend>
      <div className="grid-2">
        <Field label="Level" error={errorOf("scope.level")}>
          {(p) => (
            <select {...p} {...form.register("scope.level")}>
              {Object.entries(LEVELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Name contains"
          error={errorOf("scope.name_contains")}
          hint="Any part of the name, upper or lower case; empty: any name."
        >
          {(p) => <input {...p} {...form.register("scope.name_contains")} />}
        </Field>
      </div>
      <Controller
        control={form.control}
        name="scope.statuses"
        render={({ field }) => (
          <BuilderChecks
            legend="Statuses"
            options={STATUS_OPTIONS}
            value={field.value}
            onChange={field.onChange}
            error={errorOf("scope.statuses")}
            hint="None ticked: active ones (paused ones when the action turns them on)."
          />
        )}
      />
      <Controller
        control={form.control}
        name="scope.platforms"
        render={({ field }) => (
          <BuilderChecks
            legend="Platforms"
            options={PLATFORM_OPTIONS}
            value={field.value}
            onChange={field.onChange}
            error={errorOf("scope.platforms")}
            hint="None ticked: every platform."
          />
        )}
      />
      <Controller
        control={form.control}
        name="scope.campaign_ids"
        render={({ field }) => (
          <BuilderCampaigns
            level={scope.level}
            value={field.value}
            onChange={field.onChange}
            error={errorOf("scope.campaign_ids")}
          />
        )}
      />
      {scope.ad_group_ids.length > 0 ? (
        <div className="notice">
          <p>
            Limited to {scope.ad_group_ids.length} specific ad group
            {scope.ad_group_ids.length === 1 ? "" : "s"} (chosen through the API; kept as they are).
          </p>
          <button
            type="button"
            className="button secondary"
            onClick={() => form.setValue("scope.ad_group_ids", [], { shouldDirty: true })}
          >
            Remove the ad-group limit
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}
