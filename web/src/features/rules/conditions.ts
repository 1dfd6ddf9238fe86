// A rule both ways: the API's RuleRead → the builder's values, and the values → the
// RuleCreate / RuleUpdate body with `conditions` whole (a PATCH replaces them). What the
// builder cannot show is kept and sent back as it was.
import type { components } from "../../api/schema";
import {
  presetAction,
  presetFilters,
  TEMPLATE_THRESHOLDS,
  THRESHOLD_METRICS,
} from "./conditionsPresets";
import {
  ACTION_NAMES,
  apiValue,
  byPercent,
  DEFAULT_WINDOW,
  FREQUENCIES,
  type Frequency,
  HOURS,
  isRange,
  METRIC_NAMES,
  type Metric,
  movesAmount,
  OPERATOR_NAMES,
  type Operator,
  PLATFORMS,
  plainDecimal,
  type RuleType,
  STATUSES,
  shownValue,
  WEEKDAYS,
  withCents,
} from "./conditionsTerms";
import type { ConditionRow, RuleFormValues } from "./schema";

type Schemas = components["schemas"];
type RuleRead = Schemas["RuleRead"];
type Filter = Schemas["Filter-Input"];
type Action = Schemas["Action-Input"];
type Scope = Schemas["Scope"];
type Schedule = Schemas["Schedule"];
export type RuleConditions = Schemas["RuleConditions-Input"];

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}

/** The keys of `object` outside `known` whose value is set (the API reads null as unset). */
function unknownKeys(object: Json, known: readonly string[]): Json {
  return Object.fromEntries(
    Object.entries(object).filter(([key, value]) => !known.includes(key) && value !== null),
  );
}

function textOf(value: unknown): string {
  return typeof value === "number" || typeof value === "string" ? plainDecimal(value) : "";
}

function moneyText(value: unknown): string {
  const text = textOf(value);
  return text ? withCents(text) : "";
}

// ------------------------------------------------------------------ defaults

const DEFAULT_ACTION: RuleFormValues["action"] = {
  type: "pause",
  direction: "up",
  percent: "20",
  amount: "",
  min: "",
  max: "",
  max_change_percent: "100",
  extra: {},
};

const NO_SCHEDULE: RuleFormValues["schedule"] = {
  frequency: "none",
  time: "08:00",
  days: [],
  hours: [],
  time_zone: "",
  extra: {},
};

/** A new condition row: ROAS below 1 over the last 7 days. */
export function newRow(window: string = DEFAULT_WINDOW): ConditionRow {
  return { metric: "roas", operator: "<", value: "", high: "", window, extra: {} };
}

/** The builder filled with a template: its filters and action, over `lookbackDays`. */
export function templateParts(ruleType: RuleType, lookbackDays: string) {
  const days = Number(lookbackDays);
  const window = `last_${Number.isInteger(days) && days >= 1 && days <= 90 ? days : 7}_days`;
  const threshold = Number(TEMPLATE_THRESHOLDS[ruleType]);
  const filters = presetFilters(ruleType, threshold, window).map((f) => rowOf(f));
  return {
    filters: filters.filter((r): r is ConditionRow => r !== null),
    action: actionOf(presetAction(ruleType)) ?? DEFAULT_ACTION,
  };
}

/** The create form's start: the first template, no schedule, automatic. */
export function emptyRule(ruleType: RuleType = "pause_low_roas"): RuleFormValues {
  const template = templateParts(ruleType, "7");
  return {
    name: "",
    rule_type: ruleType,
    threshold: "",
    threshold_seen: "",
    is_active: true,
    scope: {
      level: "campaign",
      statuses: [],
      platforms: [],
      name_contains: "",
      campaign_ids: [],
      ad_group_ids: [],
      limit: "none",
      extra: {},
    },
    action: template.action,
    filters: template.filters,
    any: [],
    min_spend: "",
    min_impressions: "",
    lookback_days: "7",
    cooldown_hours: "24",
    schedule: NO_SCHEDULE,
    stored: { scope: false, ids_in_scope: false, filters: true },
    kept: { conditions: {}, filters: [], any: [] },
  };
}

// ------------------------------------------------------------------ RuleRead → values

const FILTER_KEYS = ["metric", "operator", "value", "window"] as const;

/** A stored filter as a row; null when the builder cannot show it (kept whole). */
function rowOf(filter: unknown): ConditionRow | null {
  if (!isRecord(filter)) return null;
  const { metric, operator, value, window } = filter;
  if (!oneOf<Metric>(metric, METRIC_NAMES) || !oneOf<Operator>(operator, OPERATOR_NAMES)) {
    return null;
  }
  const pair = Array.isArray(value) ? value : null;
  if (isRange(operator) !== (pair !== null) || (pair && pair.length !== 2)) return null;
  return {
    metric,
    operator,
    value: shownValue(metric, pair ? pair[0] : value),
    high: pair ? shownValue(metric, pair[1]) : "",
    window: typeof window === "string" ? window : DEFAULT_WINDOW,
    extra: unknownKeys(filter, FILTER_KEYS),
  };
}

function rowsOf(filters: unknown): { rows: ConditionRow[]; kept: Json[] } {
  const rows: ConditionRow[] = [];
  const kept: Json[] = [];
  for (const filter of Array.isArray(filters) ? filters : []) {
    const row = rowOf(filter);
    if (row) rows.push(row);
    else if (isRecord(filter)) kept.push(filter);
  }
  return { rows, kept };
}

const ACTION_KEYS = ["type", "percent", "amount", "min", "max", "max_change_percent"] as const;

function actionOf(action: unknown): RuleFormValues["action"] | null {
  if (!isRecord(action) || !oneOf(action.type, ACTION_NAMES)) return null;
  const percent = textOf(action.percent);
  return {
    type: action.type,
    direction: percent.startsWith("-") ? "down" : "up",
    percent: percent.replace(/^-/, "") || DEFAULT_ACTION.percent,
    amount: moneyText(action.amount),
    min: moneyText(action.min),
    max: moneyText(action.max),
    max_change_percent: textOf(action.max_change_percent) || DEFAULT_ACTION.max_change_percent,
    extra: unknownKeys(action, ACTION_KEYS),
  };
}

const SCOPE_KEYS = ["level", "ids", "name_contains", "statuses", "platforms"] as const;
const STATUS_NAMES = Object.keys(STATUSES) as (keyof typeof STATUSES)[];
const PLATFORM_NAMES = Object.keys(PLATFORMS) as (keyof typeof PLATFORMS)[];
const WEEKDAY_NAMES = Object.keys(WEEKDAYS) as (keyof typeof WEEKDAYS)[];
const FREQUENCY_NAMES = Object.keys(FREQUENCIES) as Frequency[];

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function scopeOf(conditions: Json): RuleFormValues["scope"] | null {
  const scope = conditions.scope;
  if (scope !== undefined && scope !== null && !isRecord(scope)) return null;
  const given = isRecord(scope) ? scope : {};
  const level = given.level ?? "campaign";
  if (!oneOf(level, ["campaign", "ad_group"] as const)) return null;
  const statuses = strings(given.statuses);
  const platforms = strings(given.platforms);
  if (!statuses.every((s) => oneOf(s, STATUS_NAMES))) return null;
  if (!platforms.every((p) => oneOf(p, PLATFORM_NAMES))) return null;
  const ids = strings(given.ids);
  // scope.ids are objects of the level; campaign_ids always campaigns (at ad-group level,
  // the ad groups of these campaigns are judged).
  const campaignIds = level === "campaign" && ids.length ? ids : strings(conditions.campaign_ids);
  const adGroupIds = level === "ad_group" ? ids : [];
  return {
    level,
    statuses: statuses as RuleFormValues["scope"]["statuses"],
    platforms: platforms as RuleFormValues["scope"]["platforms"],
    name_contains: typeof given.name_contains === "string" ? given.name_contains : "",
    campaign_ids: campaignIds,
    ad_group_ids: adGroupIds,
    limit: adGroupIds.length ? "ad_groups" : campaignIds.length ? "campaigns" : "none",
    extra: unknownKeys(given, SCOPE_KEYS),
  };
}

const SCHEDULE_KEYS = ["frequency", "time", "days", "hours", "time_zone"] as const;

function scheduleOf(schedule: unknown): RuleFormValues["schedule"] | null {
  if (schedule === undefined || schedule === null) return NO_SCHEDULE;
  if (!isRecord(schedule) || !oneOf(schedule.frequency, FREQUENCY_NAMES)) return null;
  const days = strings(schedule.days);
  const hours = Array.isArray(schedule.hours) ? schedule.hours.map(String) : [];
  if (!days.every((d) => oneOf(d, WEEKDAY_NAMES)) || !hours.every((h) => HOURS.includes(h))) {
    return null;
  }
  return {
    frequency: schedule.frequency,
    time: typeof schedule.time === "string" ? schedule.time : NO_SCHEDULE.time,
    days: days as RuleFormValues["schedule"]["days"],
    hours,
    time_zone: typeof schedule.time_zone === "string" ? schedule.time_zone : "",
    extra: unknownKeys(schedule, SCHEDULE_KEYS),
  };
}

/** The conditions keys the builder shows (the preset knobs fold into the action). */
const KNOWN = [
  "lookback_days",
  "min_spend",
  "min_impressions",
  "campaign_ids",
  "cooldown_hours",
  "filters",
  "any",
  "scope",
  "action",
  "schedule",
] as const;
const PRESET_KNOBS = ["budget_change_percent", "min_budget", "max_budget"] as const;

/**
 * Whether the builder needs `?expand=true` to show what runs: a preset-only rule has no
 * filters, or no action, of its own.
 */
export function needsExpansion(rule: RuleRead): boolean {
  const c = rule.conditions;
  const ownFilters = Array.isArray(c.filters) || Array.isArray(c.any);
  return !ownFilters || !isRecord(c.action);
}

/**
 * The builder's values of a stored rule (`GET /rules/{id}`). Filters and action it lacks come
 * from `expanded` (`?expand=true`), so the builder shows what runs; the preset knobs
 * (budget_change_percent, min/max_budget) are then part of that action.
 */
export function ruleFormValuesOf(rule: RuleRead, expanded?: RuleRead): RuleFormValues {
  const c = rule.conditions;
  const wide = expanded?.conditions ?? {};
  const ownFilters = Array.isArray(c.filters) || Array.isArray(c.any);
  const filters = rowsOf(ownFilters ? c.filters : wide.filters);
  const any = rowsOf(ownFilters ? c.any : wide.any);
  const kept: Json = unknownKeys(c, [...KNOWN, ...PRESET_KNOBS]);
  const ownAction = isRecord(c.action);
  const action = actionOf(ownAction ? c.action : wide.action);
  if (ownAction || !action) Object.assign(kept, unknownKeys(c, KNOWN));
  if (!action && c.action != null) kept.action = c.action;
  const scope = scopeOf(c);
  if (!scope) {
    kept.scope = c.scope;
    if (c.campaign_ids != null) kept.campaign_ids = c.campaign_ids;
  }
  const schedule = scheduleOf(c.schedule);
  if (!schedule) kept.schedule = c.schedule;
  const empty = emptyRule(rule.rule_type);
  const hasScope = isRecord(c.scope);
  const values: RuleFormValues = {
    name: rule.name,
    rule_type: rule.rule_type,
    threshold: plainDecimal(rule.threshold),
    threshold_seen: "",
    is_active: rule.is_active,
    scope: scope ?? empty.scope,
    action: action ?? DEFAULT_ACTION,
    filters: filters.rows,
    any: any.rows,
    min_spend: moneyText(c.min_spend),
    min_impressions: textOf(c.min_impressions),
    lookback_days: textOf(c.lookback_days) || "7",
    cooldown_hours: textOf(c.cooldown_hours) || "24",
    schedule: schedule ?? NO_SCHEDULE,
    stored: {
      scope: hasScope,
      ids_in_scope: hasScope && strings((c.scope as Json).ids).length > 0,
      filters: !ownFilters || Array.isArray(c.filters),
    },
    kept: { conditions: kept, filters: filters.kept, any: any.kept },
  };
  return { ...values, threshold_seen: givenThreshold(values) ?? "" };
}

// ------------------------------------------------------------------ values → body

function filterOf(row: ConditionRow): Filter {
  // A number the user is still typing stays text, for the live summary to show as "…".
  const value = (text: string) => {
    const number = apiValue(row.metric, text);
    return Number.isNaN(number) ? text : number;
  };
  return {
    ...row.extra,
    metric: row.metric,
    operator: row.operator,
    value: isRange(row.operator) ? [value(row.value), value(row.high)] : value(row.value),
    window: row.window,
  };
}

function money(text: string): string | undefined {
  const value = text.trim();
  if (!value) return undefined;
  return /^\d+(\.\d+)?$/.test(value) ? withCents(value) : value;
}

function numberOr(text: string, fallback: number): number {
  const value = Number(text.trim());
  return text.trim() && Number.isFinite(value) ? value : fallback;
}

function actionBody(action: RuleFormValues["action"]): Action {
  const body: Action = {
    ...action.extra,
    type: action.type,
    max_change_percent: numberOr(action.max_change_percent, 100),
  };
  if (byPercent(action.type)) {
    const percent = numberOr(action.percent, Number.NaN);
    body.percent = action.direction === "down" ? -percent : percent;
  } else if (movesAmount(action.type)) {
    body.amount = money(action.amount) ?? "";
  }
  if (movesAmount(action.type)) {
    const min = money(action.min);
    const max = money(action.max);
    if (min) body.min = min;
    if (max) body.max = max;
  }
  return body;
}

function inOrder<T extends string>(picked: readonly T[], order: readonly T[]): T[] {
  return order.filter((item) => picked.includes(item));
}

function scopeBody(values: RuleFormValues): Scope | undefined {
  const { scope, stored } = values;
  const ids =
    scope.level === "ad_group" ? scope.ad_group_ids : stored.ids_in_scope ? scope.campaign_ids : [];
  const body: Scope = { ...scope.extra, level: scope.level };
  if (ids.length) body.ids = ids;
  const name = scope.name_contains.trim();
  if (name) body.name_contains = name;
  if (scope.statuses.length) body.statuses = inOrder(scope.statuses, STATUS_NAMES);
  if (scope.platforms.length) body.platforms = inOrder(scope.platforms, PLATFORM_NAMES);
  const plain = Object.keys(body).length === 1 && scope.level === "campaign";
  return plain && !stored.scope ? undefined : body;
}

function scheduleBody(schedule: RuleFormValues["schedule"]): Schedule | undefined {
  if (schedule.frequency === "none") return undefined;
  const body: Schedule = { ...schedule.extra, frequency: schedule.frequency };
  if (schedule.frequency === "daily") body.time = schedule.time.trim();
  if (schedule.frequency === "custom") {
    if (schedule.days.length) body.days = inOrder(schedule.days, WEEKDAY_NAMES);
    if (schedule.hours.length) body.hours = schedule.hours.map(Number).sort((a, b) => a - b);
  }
  const zone = schedule.time_zone.trim();
  if (zone) body.time_zone = zone;
  return body;
}

/** `conditions` as the API takes it (whole: a PATCH replaces the stored one). */
export function conditionsBody(values: RuleFormValues): RuleConditions {
  const filters = [...values.filters.map(filterOf), ...(values.kept.filters as Filter[])];
  const any = [...values.any.map(filterOf), ...(values.kept.any as Filter[])];
  const body: RuleConditions = {
    lookback_days: numberOr(values.lookback_days, 7),
    cooldown_hours: numberOr(values.cooldown_hours, 24),
    action: actionBody(values.action),
  };
  if (filters.length || values.stored.filters) body.filters = filters;
  if (any.length) body.any = any;
  const scope = scopeBody(values);
  if (scope) body.scope = scope;
  // Picked campaigns are campaign_ids at either level (at ad-group level: their ad groups),
  // unless a stored campaign rule had them in scope.ids (scopeBody puts them back there).
  const inScope = values.scope.level === "campaign" && values.stored.ids_in_scope;
  if (!inScope && values.scope.campaign_ids.length) body.campaign_ids = values.scope.campaign_ids;
  const minSpend = money(values.min_spend);
  if (minSpend) body.min_spend = minSpend;
  if (values.min_impressions.trim()) body.min_impressions = numberOr(values.min_impressions, 0);
  const schedule = scheduleBody(values.schedule);
  if (schedule) body.schedule = schedule;
  return { ...body, ...values.kept.conditions };
}

/**
 * The API's `threshold` (it only names the rule once `conditions` has filters): the value of
 * the first "all of these" condition on the template's metric (ROAS, CTR as a fraction, spend)
 * when the API can take it as one. A stored rule keeps its threshold while that value is the
 * one it opened with (saving unchanged changes nothing); without such a value, the stored
 * threshold, else the template's.
 */
export function thresholdOf(values: RuleFormValues): string {
  const given = givenThreshold(values);
  const untouched = given === (values.threshold_seen || null);
  if (values.threshold && untouched) return values.threshold;
  return given ?? (values.threshold || TEMPLATE_THRESHOLDS[values.rule_type]);
}

/** The threshold the conditions give, when the API can take it (> 0, 4 decimals, CTR < 1). */
function givenThreshold(values: RuleFormValues): string | null {
  const metric = THRESHOLD_METRICS[values.rule_type];
  const row = values.filters.find((r) => r.metric === metric && !isRange(r.operator));
  if (!row) return null;
  const value = apiValue(metric, row.value);
  const text = plainDecimal(value);
  const fits = value > 0 && (text.split(".")[1]?.length ?? 0) <= 4 && value < 1e10;
  return fits && (metric !== "ctr" || value < 1) ? text : null;
}

export function ruleCreateBody(values: RuleFormValues): Schemas["RuleCreate"] {
  return {
    name: values.name.trim(),
    rule_type: values.rule_type,
    threshold: thresholdOf(values),
    is_active: values.is_active,
    conditions: conditionsBody(values),
  };
}

export function ruleUpdateBody(values: RuleFormValues): Schemas["RuleUpdate"] {
  return ruleCreateBody(values);
}

/** What the builder keeps without showing it, named for the notice under the form. */
export function keptNames(values: RuleFormValues): string[] {
  const names = Object.keys(values.kept.conditions);
  const rows = values.kept.filters.length + values.kept.any.length;
  if (rows) names.push(rows === 1 ? "1 condition" : `${rows} conditions`);
  const inner = (part: string, extra: Json) => Object.keys(extra).map((k) => `${part}.${k}`);
  names.push(...inner("scope", values.scope.extra), ...inner("action", values.action.extra));
  names.push(...inner("schedule", values.schedule.extra));
  for (const [i, r] of values.filters.entries())
    names.push(...inner(`condition ${i + 1}`, r.extra));
  for (const [i, r] of values.any.entries()) names.push(...inner(`alternative ${i + 1}`, r.extra));
  return names;
}

/** A JSON value without its null members (the API's answers spell out every unset key). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}
