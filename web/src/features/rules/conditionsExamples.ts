// Test data: rules as the API answers them (captured from the running campaigns service),
// the README's three examples among them. Used by the unit tests only.
import type { components } from "../../api/schema";

type RuleRead = components["schemas"]["RuleRead"];

function read(
  name: string,
  rule_type: RuleRead["rule_type"],
  threshold: number,
  conditions: Record<string, unknown>,
): RuleRead {
  return {
    id: "28a60efa-6826-4f42-8c8b-774199709047",
    name,
    rule_type,
    threshold,
    conditions,
    is_active: true,
    last_executed: null,
    executions_count: 0,
    created_at: "2026-12-07T09:45:48Z",
    updated_at: "2026-12-07T09:45:48Z",
  };
}

const UNSET = {
  min_spend: null,
  min_impressions: null,
  campaign_ids: null,
  budget_change_percent: null,
  min_budget: null,
  max_budget: null,
};

/** README "Stop bleeders". */
export const STOP_BLEEDERS = read("Stop bleeders", "pause_low_roas", 1.0, {
  ...UNSET,
  lookback_days: 7,
  cooldown_hours: 24,
  filters: [
    { metric: "roas", operator: "<", value: 0.8, window: "last_7_days" },
    { metric: "spend", operator: ">=", value: 50.0, window: "last_3_days" },
  ],
  any: [
    { metric: "ctr", operator: "<", value: 0.005, window: "last_14_days" },
    { metric: "cpa", operator: "not_between", value: [0.0, 40.0], window: "lifetime" },
  ],
  scope: {
    level: "campaign",
    ids: null,
    name_contains: "prospecting",
    statuses: null,
    platforms: ["meta", "google"],
  },
  action: {
    type: "pause",
    percent: null,
    amount: null,
    min: null,
    max: null,
    max_change_percent: 100.0,
  },
  schedule: { frequency: "daily", time: "08:00", days: null, hours: null, time_zone: null },
});

/** README "Scale winners". */
export const SCALE_WINNERS = read("Scale winners", "increase_budget_high_roas", 3.0, {
  ...UNSET,
  lookback_days: 7,
  cooldown_hours: 24,
  filters: [
    { metric: "roas", operator: ">=", value: 3.0, window: "yesterday" },
    { metric: "age_days", operator: ">", value: 7.0, window: "last_7_days" },
  ],
  action: {
    type: "change_budget",
    percent: 15.0,
    amount: null,
    min: null,
    max: "500.00",
    max_change_percent: 20.0,
  },
  schedule: { frequency: "custom", time: null, days: ["mon", "thu"], hours: [9], time_zone: null },
});

/** README "Cheaper clicks". */
export const CHEAPER_CLICKS = read("Cheaper clicks", "decrease_budget_low_ctr", 0.01, {
  ...UNSET,
  lookback_days: 7,
  cooldown_hours: 24,
  scope: {
    level: "ad_group",
    ids: null,
    name_contains: null,
    statuses: ["active"],
    platforms: null,
  },
  filters: [{ metric: "cpc", operator: ">", value: 2.5, window: "last_3_days" }],
  action: {
    type: "set_bid",
    percent: null,
    amount: "1.20",
    min: "0.50",
    max: null,
    max_change_percent: 100.0,
  },
});

/** A preset-only rule (no filters, no action of its own) and its `?expand=true` answer. */
export const PRESET_ONLY = read("Scale", "increase_budget_high_roas", 2.5, {
  ...UNSET,
  lookback_days: 14,
  budget_change_percent: "30",
  max_budget: "900.00",
  cooldown_hours: 24,
});

export const PRESET_ONLY_EXPANDED = read("Scale", "increase_budget_high_roas", 2.5, {
  ...PRESET_ONLY.conditions,
  filters: [{ metric: "roas", operator: ">=", value: 2.5, window: "last_14_days" }],
  scope: {
    level: "campaign",
    ids: null,
    name_contains: null,
    statuses: ["active"],
    platforms: null,
  },
  action: {
    type: "change_budget",
    percent: 30.0,
    amount: null,
    min: null,
    max: "900.00",
    max_change_percent: 100.0,
  },
});

/** The first "all of these" row of form values (the templates always have one). */
export function firstRow<T>(values: { filters: T[] }): T {
  const row = values.filters[0];
  if (row === undefined) throw new Error("no condition row");
  return row;
}
