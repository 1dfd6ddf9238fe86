// The rule language's words (services/campaigns README, "Rule language") and the units the
// builder shows them in: CTR as a percentage (the API's is a fraction), money with cents.
import type { components } from "../../api/schema";

type Schemas = components["schemas"];
export type Metric = Schemas["Filter-Input"]["metric"];
export type Operator = Schemas["Filter-Input"]["operator"];
export type ActionType = Schemas["Action-Input"]["type"];
export type Level = Schemas["Scope"]["level"];
export type Status = NonNullable<Schemas["Scope"]["statuses"]>[number];
export type Platform = NonNullable<Schemas["Scope"]["platforms"]>[number];
export type Weekday = NonNullable<Schemas["Schedule"]["days"]>[number];
export type Frequency = Schemas["Schedule"]["frequency"];
export type RuleType = Schemas["RuleCreate"]["rule_type"];

/**
 * How a metric's value is typed and shown: `ratio` plain (ROAS 0.8), `fraction` typed in % and
 * sent as a fraction (CTR 0.5 % → 0.005), `percent` a percentage on both sides, `money` in
 * dollars with cents, `count` a plain number, `days` a number of days.
 */
export type Unit = "ratio" | "fraction" | "percent" | "money" | "count" | "days";

interface MetricInfo {
  label: string;
  unit: Unit;
  /** Describes the object now, not a sum over days: no time range. */
  still?: true;
  /** Ad-group rules only (the health of the audiences it targets). */
  adGroups?: true;
}

export const METRICS = {
  roas: { label: "ROAS", unit: "ratio" },
  ctr: { label: "CTR", unit: "fraction" },
  cpc: { label: "CPC", unit: "money" },
  cpa: { label: "CPA", unit: "money" },
  spend: { label: "Spend", unit: "money" },
  revenue: { label: "Revenue", unit: "money" },
  impressions: { label: "Impressions", unit: "count" },
  clicks: { label: "Clicks", unit: "count" },
  conversions: { label: "Conversions", unit: "count" },
  daily_budget: { label: "Daily budget", unit: "money", still: true },
  age_days: { label: "Age", unit: "days", still: true },
  audience_failed: { label: "Failed audiences", unit: "count", still: true, adGroups: true },
  audience_size: { label: "Audience size", unit: "count", still: true, adGroups: true },
  audience_match_rate: {
    label: "Audience match rate",
    unit: "percent",
    still: true,
    adGroups: true,
  },
} as const satisfies Record<Metric, MetricInfo>;

export const METRIC_NAMES = Object.keys(METRICS) as [Metric, ...Metric[]];

export function metricInfo(metric: Metric): MetricInfo {
  return METRICS[metric];
}

/** The unit a value field shows after its label: "Value (%)". */
export function unitLabel(metric: Metric): string {
  const unit = METRICS[metric].unit;
  if (unit === "fraction" || unit === "percent") return "%";
  if (unit === "money") return "$";
  if (unit === "days") return "days";
  return "";
}

export const OPERATORS = {
  "<": "is less than",
  "<=": "is at most",
  ">": "is more than",
  ">=": "is at least",
  between: "is between",
  not_between: "is not between",
} as const satisfies Record<Operator, string>;

export const OPERATOR_NAMES = Object.keys(OPERATORS) as [Operator, ...Operator[]];

export function isRange(operator: Operator): boolean {
  return operator === "between" || operator === "not_between";
}

/** The time ranges the builder offers (the API takes any last_N_days, N 1..90). */
export const WINDOWS = [
  "today",
  "yesterday",
  "last_3_days",
  "last_7_days",
  "last_14_days",
  "last_30_days",
  "lifetime",
] as const;

export const DEFAULT_WINDOW = "last_7_days";
const LAST_DAYS = /^last_([1-9][0-9]?)_days$/;

/** Days of a `last_N_days` window, null for the named ones (and for anything else). */
export function windowDays(window: string): number | null {
  const match = LAST_DAYS.exec(window);
  return match ? Number(match[1]) : null;
}

export function isWindow(window: string): boolean {
  const days = windowDays(window);
  return ["today", "yesterday", "lifetime"].includes(window) || (days !== null && days <= 90);
}

export function windowLabel(window: string): string {
  const days = windowDays(window);
  if (days !== null) return days === 1 ? "Last day" : `Last ${days} days`;
  return { today: "Today", yesterday: "Yesterday", lifetime: "Lifetime" }[window] ?? window;
}

export const ACTIONS = {
  pause: "Pause",
  unpause: "Turn on (unpause)",
  change_budget: "Change the daily budget by a percent",
  set_budget: "Set the daily budget",
  change_bid: "Change the bid by a percent",
  set_bid: "Set the bid",
  notify: "Notify only",
} as const satisfies Record<ActionType, string>;

export const ACTION_NAMES = Object.keys(ACTIONS) as [ActionType, ...ActionType[]];
export const BUDGET_ACTIONS: readonly ActionType[] = ["change_budget", "set_budget"];
export const BID_ACTIONS: readonly ActionType[] = ["change_bid", "set_bid"];

/** Actions that move a number (budget or bid): they take caps and a per-run bound. */
export function movesAmount(type: ActionType): boolean {
  return BUDGET_ACTIONS.includes(type) || BID_ACTIONS.includes(type);
}

export function byPercent(type: ActionType): boolean {
  return type === "change_budget" || type === "change_bid";
}

export const LEVELS = { campaign: "Campaigns", ad_group: "Ad groups" } as const satisfies Record<
  Level,
  string
>;

export const STATUSES = {
  active: "Active",
  paused: "Paused",
  draft: "Draft",
  completed: "Completed",
} as const satisfies Record<Status, string>;

export const PLATFORMS = { meta: "Meta", google: "Google" } as const satisfies Record<
  Platform,
  string
>;

export const WEEKDAYS = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
} as const satisfies Record<Weekday, string>;

export const HOURS = Array.from({ length: 24 }, (_, hour) => String(hour));

export function hourLabel(hour: number | string): string {
  return `${String(hour).padStart(2, "0")}:00`;
}

export const FREQUENCIES = {
  none: "No schedule",
  continuous: "Continuously (every 30 minutes)",
  hourly: "Hourly",
  daily: "Daily",
  custom: "Custom days and hours",
} as const satisfies Record<Frequency | "none", string>;

// ------------------------------------------------------------------ decimals as text

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A number as plain decimal text, never in exponent form ("0.000001", not "1e-6"). */
export function plainDecimal(value: number | string): string {
  if (typeof value === "string") return value.trim();
  if (!Number.isFinite(value)) return String(value);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return trimZeros(value.toFixed(12));
}

function trimZeros(text: string): string {
  if (!text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * Moves the decimal point `places` to the right (left when negative) on the text itself, so
 * 1.1 % → 0.011 stays exact (1.1 / 100 is 0.011000000000000001 in floating point).
 */
export function shiftDecimal(text: string, places: number): string {
  const match = DECIMAL.exec(text.trim());
  if (!match) return text;
  const [, sign, whole = "", fraction = ""] = match;
  let digits = whole + fraction;
  let point = whole.length + places;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const head = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  const tail = digits.slice(point).replace(/0+$/, "");
  const result = tail ? `${head}.${tail}` : head;
  return result === "0" ? "0" : `${sign}${result}`;
}

/** Decimals a number's text has ("2.50" → 2). */
export function decimalsOf(text: string): number {
  return DECIMAL.exec(text.trim())?.[3]?.length ?? 0;
}

/** Money text with at least two decimals ("50" → "50.00"; "2.555" stays). */
export function withCents(text: string): string {
  const match = DECIMAL.exec(text.trim());
  if (!match) return text;
  const [, sign, whole, fraction = ""] = match;
  return `${sign}${whole}.${fraction.padEnd(2, "0")}`;
}

/** A filter's API value as the builder shows it (CTR in %, money with cents). */
export function shownValue(metric: Metric, value: unknown): string {
  if (typeof value !== "number" && typeof value !== "string") return "";
  const text = plainDecimal(value);
  const unit = METRICS[metric].unit;
  if (unit === "fraction") return shiftDecimal(text, 2);
  if (unit === "money") return withCents(text);
  return text;
}

/** The API's value of what the builder shows (CTR back to a fraction); NaN when not a number. */
export function apiValue(metric: Metric, shown: string): number {
  const text = shown.trim();
  if (!DECIMAL.test(text)) return Number.NaN;
  return Number(METRICS[metric].unit === "fraction" ? shiftDecimal(text, -2) : text);
}
