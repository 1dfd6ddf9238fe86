// The rule builder's form: what it holds (text as typed, in the units users think in) and
// every refusal the API would make, said where the user can fix it.
import { z } from "zod";
import {
  ACTION_NAMES,
  BID_ACTIONS,
  BUDGET_ACTIONS,
  byPercent,
  decimalsOf,
  FREQUENCIES,
  isRange,
  isWindow,
  METRIC_NAMES,
  METRICS,
  metricInfo,
  movesAmount,
  OPERATOR_NAMES,
  PLATFORMS,
  type Platform,
  type RuleType,
  STATUSES,
  type Status,
  WEEKDAYS,
  type Weekday,
} from "./conditionsTerms";

/** The four presets the API names a rule by (`rule_type`): the builder's templates. */
export const RULE_TYPES = {
  pause_low_roas: "Pause campaigns whose ROAS is low",
  increase_budget_high_roas: "Raise the budget when ROAS is high",
  decrease_budget_low_ctr: "Lower the budget when CTR is low",
  pause_no_conversions: "Pause campaigns with spend but no conversions",
} as const satisfies Record<RuleType, string>;

const RULE_TYPE_NAMES = Object.keys(RULE_TYPES) as [RuleType, ...RuleType[]];
const STATUS_NAMES = Object.keys(STATUSES) as [Status, ...Status[]];
const PLATFORM_NAMES = Object.keys(PLATFORMS) as [Platform, ...Platform[]];
const WEEKDAY_NAMES = Object.keys(WEEKDAYS) as [Weekday, ...Weekday[]];
const FREQUENCY_NAMES = Object.keys(FREQUENCIES) as [keyof typeof FREQUENCIES];

export const MAX_CONDITIONS = 20;
export const MAX_CAMPAIGNS = 500;
export const MAX_AD_GROUPS = 500;

/** At ad-group level, which ad groups the rule judges (`scope.limit`). */
export const LIMITS = {
  none: "Every one that matches the rest",
  campaigns: "Only those of chosen campaigns",
  ad_groups: "Only chosen ad groups",
} as const;
export type Limit = keyof typeof LIMITS;
const LIMIT_NAMES = Object.keys(LIMITS) as [Limit, ...Limit[]];

export const MESSAGES = {
  name: "Name the rule.",
  long: "At most 255 characters.",
  number: "Enter a number, like 1.5.",
  decimals: "At most 6 decimals.",
  ctrDecimals: "At most 4 decimals (the CTR is in %).",
  overHundred: "A percentage is at most 100.",
  tooLarge: "That number is too large.",
  order: "The low end must not exceed the high end.",
  window: "Choose a time range.",
  audience: "Audience metrics apply to ad groups: choose Ad groups under Apply to.",
  noCondition: "Add at least one condition.",
  tooMany: `At most ${MAX_CONDITIONS} conditions.`,
  budgetLevel:
    "Budget actions apply to campaigns: choose Campaigns under Apply to, or a bid action.",
  bidLevel: "Bid actions apply to ad groups: choose Ad groups under Apply to, or a budget action.",
  percent: "Enter a percent, like 20 or 12.5.",
  percentZero: "The percent must be more than 0.",
  decrease: "A decrease is at most 99%.",
  increase: "An increase is at most 1000%.",
  amount: "Enter an amount in dollars, like 25 or 25.50.",
  amountZero: "The amount must be more than 0.",
  minMax: "The minimum must not exceed the maximum.",
  outsideCaps: "The new amount must lie between the minimum and the maximum.",
  maxChange: "Enter a percent above 0 and at most 1000.",
  campaignsAndAdGroups:
    "Both campaigns and ad groups are picked, and a rule takes one or the other: choose one under Which ad groups.",
  adGroupsAtCampaigns:
    "This rule is limited to specific ad groups: untick them (Untick all ad groups) to judge campaigns.",
  tooManyCampaigns: `At most ${MAX_CAMPAIGNS} campaigns.`,
  tooManyAdGroups: `At most ${MAX_AD_GROUPS} ad groups.`,
  wholeNumber: "Enter a whole number, like 1000.",
  lookback: "1 to 90 days.",
  cooldown: "0 to 720 hours.",
  time: "Enter a time, like 08:00.",
  custom: "Pick days, hours or both.",
} as const;

const extra = z.record(z.string(), z.unknown());

const row = z.object({
  metric: z.enum(METRIC_NAMES),
  operator: z.enum(OPERATOR_NAMES),
  value: z.string(),
  /** The upper end of a between / not between. */
  high: z.string(),
  window: z.string(),
  /** Keys of the stored filter the builder does not know, sent back as they were. */
  extra,
});

const shape = z.object({
  name: z.string(),
  /** The template the rule started from; the API's `rule_type`. */
  rule_type: z.enum(RULE_TYPE_NAMES),
  /** The stored rule's `threshold` ("" for a new rule or a new template; see `thresholdOf`). */
  threshold: z.string(),
  /** The threshold its conditions gave when the form opened: unchanged, the stored one stays. */
  threshold_seen: z.string(),
  is_active: z.boolean(),
  scope: z.object({
    level: z.enum(["campaign", "ad_group"]),
    statuses: z.array(z.enum(STATUS_NAMES)),
    platforms: z.array(z.enum(PLATFORM_NAMES)),
    name_contains: z.string(),
    campaign_ids: z.array(z.string()),
    /** Picked ad groups (ad-group level: `scope.ids`). */
    ad_group_ids: z.array(z.string()),
    /** The "Which ad groups" choice while nothing is picked (see `limitOf`); never sent. */
    limit: z.enum(LIMIT_NAMES),
    extra,
  }),
  action: z.object({
    type: z.enum(ACTION_NAMES),
    direction: z.enum(["up", "down"]),
    percent: z.string(),
    amount: z.string(),
    min: z.string(),
    max: z.string(),
    max_change_percent: z.string(),
    extra,
  }),
  filters: z.array(row),
  any: z.array(row),
  min_spend: z.string(),
  min_impressions: z.string(),
  lookback_days: z.string(),
  cooldown_hours: z.string(),
  schedule: z.object({
    frequency: z.enum(FREQUENCY_NAMES),
    time: z.string(),
    days: z.array(z.enum(WEEKDAY_NAMES)),
    hours: z.array(z.string()),
    time_zone: z.string(),
    extra,
  }),
  /** How the stored rule wrote what the builder shows, so saving it unchanged changes nothing. */
  stored: z.object({
    scope: z.boolean(),
    ids_in_scope: z.boolean(),
    filters: z.boolean(),
  }),
  /** What the builder cannot show: conditions keys and whole filters, sent back as they were. */
  kept: z.object({
    conditions: extra,
    filters: z.array(extra),
    any: z.array(extra),
  }),
});

export type RuleFormValues = z.infer<typeof shape>;
export type ConditionRow = RuleFormValues["filters"][number];

/**
 * What "Which ad groups" shows: what is picked decides, the last choice only while nothing is.
 * Null when both campaigns and ad groups are picked (only a rule stored through the API can
 * be; the form refuses it until the user chooses one).
 */
export function limitOf(scope: RuleFormValues["scope"]): Limit | null {
  const campaigns = scope.campaign_ids.length > 0;
  const adGroups = scope.ad_group_ids.length > 0;
  if (campaigns && adGroups) return null;
  if (adGroups) return "ad_groups";
  if (campaigns) return "campaigns";
  return scope.limit;
}

const NUMBER = /^\d+(\.\d+)?$/;
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;
const PERCENT = /^\d{1,4}(\.\d{1,2})?$/;
const WHOLE = /^\d{1,9}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What is wrong with a condition's value typed for `metric` (null: nothing). */
function valueProblem(metric: ConditionRow["metric"], text: string): string | null {
  const value = text.trim();
  if (!NUMBER.test(value)) return MESSAGES.number;
  const unit = METRICS[metric].unit;
  if (unit === "fraction" && decimalsOf(value) > 4) return MESSAGES.ctrDecimals;
  if (decimalsOf(value) > 6) return MESSAGES.decimals;
  if ((value.split(".")[0] ?? "").replace(/^0+/, "").length > 12) return MESSAGES.tooLarge;
  if ((unit === "fraction" || unit === "percent") && Number(value) > 100) {
    return MESSAGES.overHundred;
  }
  return null;
}

/** Money typed in dollars: "" allowed when optional; `positive` refuses 0. */
function moneyProblem(text: string, positive: boolean): string | null {
  const value = text.trim();
  if (!MONEY.test(value)) return MESSAGES.amount;
  if (positive && Number(value) <= 0) return MESSAGES.amountZero;
  return null;
}

export type Issue = { path: (string | number)[]; message: string };

/**
 * What the chosen level (campaigns / ad groups) rules out, as the API would refuse it, and
 * picked campaigns next to specific ad groups (`campaign_ids` with `scope.ids`). The form
 * shows these as soon as they arise, not only on submit.
 */
export function levelConflicts(values: RuleFormValues): Issue[] {
  const { action, scope } = values;
  const issues: Issue[] = [];
  if (BUDGET_ACTIONS.includes(action.type) && scope.level !== "campaign") {
    issues.push({ path: ["action", "type"], message: MESSAGES.budgetLevel });
  }
  if (BID_ACTIONS.includes(action.type) && scope.level !== "ad_group") {
    issues.push({ path: ["action", "type"], message: MESSAGES.bidLevel });
  }
  for (const group of ["filters", "any"] as const) {
    values[group].forEach((r, i) => {
      if (metricInfo(r.metric).adGroups && scope.level !== "ad_group") {
        issues.push({ path: [group, i, "metric"], message: MESSAGES.audience });
      }
    });
  }
  if (scope.ad_group_ids.length > 0 && scope.level !== "ad_group") {
    issues.push({ path: ["scope", "level"], message: MESSAGES.adGroupsAtCampaigns });
  } else if (scope.ad_group_ids.length > 0 && scope.campaign_ids.length > 0) {
    // Campaigns go to campaign_ids, ad groups to scope.ids: the API takes one or the other.
    issues.push({ path: ["scope", "campaign_ids"], message: MESSAGES.campaignsAndAdGroups });
  }
  return issues;
}

/** The messages of `levelConflicts`: the form computes them live, not from the last submit. */
export const LIVE_MESSAGES: ReadonlySet<string> = new Set([
  MESSAGES.budgetLevel,
  MESSAGES.bidLevel,
  MESSAGES.audience,
  MESSAGES.adGroupsAtCampaigns,
  MESSAGES.campaignsAndAdGroups,
]);

function rowIssues(group: "filters" | "any", rows: ConditionRow[]): Issue[] {
  const issues: Issue[] = [];
  if (rows.length > MAX_CONDITIONS) issues.push({ path: [group], message: MESSAGES.tooMany });
  rows.forEach((r, i) => {
    const at = (field: string, message: string) =>
      issues.push({ path: [group, i, field], message });
    const low = valueProblem(r.metric, r.value);
    if (low) at("value", low);
    if (isRange(r.operator)) {
      const high = valueProblem(r.metric, r.high);
      if (high) at("high", high);
      else if (!low && Number(r.value) > Number(r.high)) at("high", MESSAGES.order);
    }
    if (!isWindow(r.window)) at("window", MESSAGES.window);
  });
  return issues;
}

function actionIssues(values: RuleFormValues): Issue[] {
  const { action } = values;
  const issues: Issue[] = [];
  const at = (field: string, message: string) => issues.push({ path: ["action", field], message });
  if (!movesAmount(action.type)) return issues;
  if (byPercent(action.type)) {
    const percent = action.percent.trim();
    if (!PERCENT.test(percent)) at("percent", MESSAGES.percent);
    else if (Number(percent) <= 0) at("percent", MESSAGES.percentZero);
    else if (action.direction === "down" && Number(percent) > 99) at("percent", MESSAGES.decrease);
    else if (action.direction === "up" && Number(percent) > 1000) at("percent", MESSAGES.increase);
  } else {
    const problem = moneyProblem(action.amount, true);
    if (problem) at("amount", problem);
  }
  const min = action.min.trim() ? moneyProblem(action.min, true) : null;
  const max = action.max.trim() ? moneyProblem(action.max, true) : null;
  if (min) at("min", min);
  if (max) at("max", max);
  if (!min && !max && action.min.trim() && action.max.trim()) {
    if (Number(action.min) > Number(action.max)) at("max", MESSAGES.minMax);
  }
  const amount = Number(action.amount);
  const setting = !byPercent(action.type) && !moneyProblem(action.amount, true);
  const below = !min && action.min.trim() && amount < Number(action.min);
  const above = !max && action.max.trim() && amount > Number(action.max);
  if (setting && (below || above)) at("amount", MESSAGES.outsideCaps);
  const guard = action.max_change_percent.trim();
  if (!PERCENT.test(guard) || Number(guard) <= 0 || Number(guard) > 1000) {
    at("max_change_percent", MESSAGES.maxChange);
  }
  return issues;
}

function scopeIssues(values: RuleFormValues): Issue[] {
  const { scope } = values;
  const issues: Issue[] = [];
  if (scope.name_contains.trim().length > 255) {
    issues.push({ path: ["scope", "name_contains"], message: MESSAGES.long });
  }
  if (scope.campaign_ids.length > MAX_CAMPAIGNS) {
    issues.push({ path: ["scope", "campaign_ids"], message: MESSAGES.tooManyCampaigns });
  }
  if (scope.ad_group_ids.length > MAX_AD_GROUPS) {
    issues.push({ path: ["scope", "ad_group_ids"], message: MESSAGES.tooManyAdGroups });
  }
  return issues;
}

function guardIssues(values: RuleFormValues): Issue[] {
  const issues: Issue[] = [];
  const at = (field: string, message: string) => issues.push({ path: [field], message });
  if (values.min_spend.trim()) {
    const problem = moneyProblem(values.min_spend, false);
    if (problem) at("min_spend", problem);
  }
  if (values.min_impressions.trim() && !WHOLE.test(values.min_impressions.trim())) {
    at("min_impressions", MESSAGES.wholeNumber);
  }
  const lookback = values.lookback_days.trim();
  if (!WHOLE.test(lookback) || Number(lookback) < 1 || Number(lookback) > 90) {
    at("lookback_days", MESSAGES.lookback);
  }
  const cooldown = values.cooldown_hours.trim();
  if (!WHOLE.test(cooldown) || Number(cooldown) > 720) at("cooldown_hours", MESSAGES.cooldown);
  return issues;
}

function scheduleIssues(values: RuleFormValues): Issue[] {
  const { schedule } = values;
  if (schedule.frequency === "daily" && !TIME.test(schedule.time.trim())) {
    return [{ path: ["schedule", "time"], message: MESSAGES.time }];
  }
  if (
    schedule.frequency === "custom" &&
    schedule.days.length === 0 &&
    schedule.hours.length === 0
  ) {
    return [{ path: ["schedule", "days"], message: MESSAGES.custom }];
  }
  return [];
}

/** Every check runs at once (zod skips object refinements after a field's own refusal). */
export const ruleFormSchema = shape.superRefine((values, ctx) => {
  const issues: Issue[] = [];
  const name = values.name.trim();
  if (!name) issues.push({ path: ["name"], message: MESSAGES.name });
  else if (name.length > 255) issues.push({ path: ["name"], message: MESSAGES.long });
  issues.push(...levelConflicts(values), ...scopeIssues(values), ...actionIssues(values));
  const conditions = values.filters.length + values.any.length;
  const kept = values.kept.filters.length + values.kept.any.length;
  if (conditions + kept === 0) issues.push({ path: ["filters"], message: MESSAGES.noCondition });
  issues.push(...rowIssues("filters", values.filters), ...rowIssues("any", values.any));
  issues.push(...guardIssues(values), ...scheduleIssues(values));
  for (const issue of issues) ctx.addIssue({ code: "custom", ...issue });
});
