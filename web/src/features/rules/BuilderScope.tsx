import { useId, useRef } from "react";
import { Controller, type UseFormReturn } from "react-hook-form";
import { Field } from "../../components/Field";
import { BuilderAdGroups } from "./BuilderAdGroups";
import { BuilderCampaigns } from "./BuilderCampaigns";
import { BuilderChecks } from "./BuilderChecks";
import type { ErrorOf } from "./BuilderErrors";
import { LEVELS, PLATFORMS, STATUSES } from "./conditionsTerms";
import { LIMITS, type Limit, limitOf, type RuleFormValues } from "./schema";

interface SectionProps {
  form: UseFormReturn<RuleFormValues>;
  values: RuleFormValues;
  errorOf: ErrorOf;
}

const STATUS_OPTIONS = Object.entries(STATUSES) as [keyof typeof STATUSES, string][];
const PLATFORM_OPTIONS = Object.entries(PLATFORMS) as [keyof typeof PLATFORMS, string][];
const LIMIT_OPTIONS = Object.entries(LIMITS) as [Limit, string][];

/**
 * "Apply to": level, statuses, platforms, name, specific campaigns (conditions.scope,
 * campaign_ids); at ad-group level a choice between every ad group, those of chosen campaigns
 * and chosen ad groups (scope.ids), each with its picker. A picker whose list is not empty
 * always shows, so a limit the level or the choice rules out can be seen and unticked.
 */
export function BuilderScope({ form, values, errorOf }: SectionProps) {
  const { scope } = values;
  const limitName = useId();
  // What a choice put aside, back if the user chooses that list again.
  const aside = useRef({ campaigns: [] as string[], adGroups: [] as string[] });
  const limit = limitOf(scope);
  const atAdGroups = scope.level === "ad_group";
  const set = (name: "scope.campaign_ids" | "scope.ad_group_ids", ids: string[]) =>
    form.setValue(name, ids, { shouldDirty: true });
  const choose = (to: Limit) => {
    const { campaign_ids, ad_group_ids } = form.getValues("scope");
    if (to !== "campaigns" && campaign_ids.length) {
      aside.current.campaigns = campaign_ids;
      set("scope.campaign_ids", []);
    }
    if (to !== "ad_groups" && ad_group_ids.length) {
      aside.current.adGroups = ad_group_ids;
      set("scope.ad_group_ids", []);
    }
    if (to === "campaigns" && !campaign_ids.length) {
      set("scope.campaign_ids", aside.current.campaigns);
      aside.current.campaigns = [];
    }
    if (to === "ad_groups" && !ad_group_ids.length) {
      set("scope.ad_group_ids", aside.current.adGroups);
      aside.current.adGroups = [];
    }
    form.setValue("scope.limit", to, { shouldDirty: true });
  };
  const showCampaigns = !atAdGroups || limit === "campaigns" || scope.campaign_ids.length > 0;
  const showAdGroups = (atAdGroups && limit === "ad_groups") || scope.ad_group_ids.length > 0;
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
      {atAdGroups ? (
        <fieldset>
          <legend>Which ad groups</legend>
          <div className="radio-row">
            {LIMIT_OPTIONS.map(([value, label]) => (
              <label key={value}>
                <input
                  type="radio"
                  name={limitName}
                  value={value}
                  checked={limit === value}
                  onChange={() => choose(value)}
                />{" "}
                {label}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {showCampaigns ? (
        <Controller
          control={form.control}
          name="scope.campaign_ids"
          render={({ field }) => (
            <BuilderCampaigns
              level={scope.level}
              value={field.value}
              onChange={(ids) => {
                field.onChange(ids);
                form.setValue("scope.limit", "campaigns");
              }}
              error={errorOf("scope.campaign_ids")}
            />
          )}
        />
      ) : null}
      {showAdGroups ? (
        <Controller
          control={form.control}
          name="scope.ad_group_ids"
          render={({ field }) => (
            <BuilderAdGroups
              value={field.value}
              onChange={(ids) => {
                field.onChange(ids);
                form.setValue("scope.limit", "ad_groups");
              }}
              error={errorOf("scope.ad_group_ids")}
            />
          )}
        />
      ) : null}
    </fieldset>
  );
}
