// A rule's conditions as one plain-English sentence (people read a sentence faster than a
// form): "Pause campaigns on Meta whose name contains “prospecting” when ROAS < 0.8 over the
// last 7 days, checked daily at 08:00." Pure: the API's conditions in (expanded, or as the
// builder would send them), text out; a value still being typed shows as "…".
import {
  hourLabel,
  METRICS,
  type Metric,
  metricInfo,
  plainDecimal,
  shiftDecimal,
  WEEKDAYS,
  windowDays,
} from "./conditionsTerms";

type Json = Record<string, unknown>;

const MISSING = "…";
const OPERATORS: Record<string, string> = { "<": "<", "<=": "≤", ">": ">", ">=": "≥" };
const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });
const dollars = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A number's decimal text, or null when `value` is not (yet) a number. */
function decimal(value: unknown): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? plainDecimal(value) : null;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return value.trim();
  return null;
}

function money(value: unknown): string {
  const text = decimal(value);
  return text === null ? MISSING : dollars.format(Number(text));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** "A", "A or B", "A, B or C". */
function listed(items: string[], word: "and" | "or"): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${word} ${items[items.length - 1]}`;
}

function metricName(metric: Metric): string {
  const label: string = METRICS[metric].label;
  return label === label.toUpperCase() ? label : label.toLowerCase();
}

function valueText(metric: Metric, value: unknown): string {
  const text = decimal(value);
  if (text === null) return MISSING;
  switch (METRICS[metric].unit) {
    case "fraction":
      return `${shiftDecimal(text, 2)}%`;
    case "percent":
      return `${text}%`;
    case "money":
      return dollars.format(Number(text));
    case "days":
      return Number(text) === 1 ? "1 day" : `${grouped.format(Number(text))} days`;
    default:
      return grouped.format(Number(text));
  }
}

function windowText(window: unknown): string {
  if (typeof window !== "string") return "over the last 7 days";
  const days = windowDays(window);
  if (days !== null) return days === 1 ? "over the last day" : `over the last ${days} days`;
  if (window === "lifetime") return "over its lifetime";
  if (window === "today" || window === "yesterday") return window;
  return `over ${window}`;
}

/** One condition: "ROAS < 0.8 over the last 7 days", "CPA not between $0.00 and $40.00 …". */
export function describeFilter(filter: unknown): string {
  if (!isRecord(filter) || typeof filter.metric !== "string" || !(filter.metric in METRICS)) {
    return "a condition the dashboard does not know";
  }
  const metric = filter.metric as Metric;
  const { operator, value } = filter;
  let test: string;
  if (operator === "between" || operator === "not_between") {
    const [low, high] = Array.isArray(value) ? value : [];
    const word = operator === "between" ? "between" : "not between";
    test = `${word} ${valueText(metric, low)} and ${valueText(metric, high)}`;
  } else {
    test = `${OPERATORS[String(operator)] ?? String(operator)} ${valueText(metric, value)}`;
  }
  const text = `${metricName(metric)} ${test}`;
  return metricInfo(metric).still ? text : `${text} ${windowText(filter.window)}`;
}

function filtersOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(describeFilter) : [];
}

function when(conditions: Json): string {
  const all = filtersOf(conditions.filters);
  const any = filtersOf(conditions.any);
  if (all.length && any.length) {
    return `when ${all.join(" and ")} and at least one of: ${any.join(" or ")}`;
  }
  if (all.length) return `when ${all.join(" and ")}`;
  if (any.length === 1) return `when ${any[0]}`;
  if (any.length) return `when at least one of: ${any.join(" or ")}`;
  return `when ${MISSING} (no condition yet)`;
}

const STATUS_WORDS: Record<string, string> = {
  active: "active",
  paused: "paused",
  draft: "draft",
  completed: "completed",
};
const PLATFORM_WORDS: Record<string, string> = { meta: "Meta", google: "Google" };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * What the rule judges: "paused campaigns on Meta whose name contains “x”", "ad groups in the
 * 2 chosen campaigns" (campaign_ids always name campaigns; scope.ids objects of the level).
 */
function objects(conditions: Json, action: Json): { text: string; one: string } {
  const scope = isRecord(conditions.scope) ? conditions.scope : {};
  const one = scope.level === "ad_group" ? "ad group" : "campaign";
  const campaigns = strings(conditions.campaign_ids);
  const ids = one === "campaign" ? [...campaigns] : [];
  if (!ids.length) ids.push(...strings(scope.ids));
  const statuses = strings(scope.statuses);
  const usual = action.type === "unpause" ? "paused" : "active";
  const plain = statuses.length === 0 || (statuses.length === 1 && statuses[0] === usual);
  const status = plain
    ? ""
    : `${listed(
        statuses.map((s) => STATUS_WORDS[s] ?? s),
        "or",
      )} `;
  let text =
    ids.length === 0
      ? `${status}${one}s`
      : ids.length === 1
        ? `the chosen ${status}${one}`
        : `the ${ids.length} chosen ${status}${one}s`;
  const platforms = strings(scope.platforms).map((p) => PLATFORM_WORDS[p] ?? p);
  if (platforms.length) text += ` on ${listed(platforms, "or")}`;
  if (typeof scope.name_contains === "string" && scope.name_contains) {
    text += ` whose name contains “${scope.name_contains}”`;
  }
  if (one === "ad group" && campaigns.length) {
    text +=
      campaigns.length === 1
        ? " in the chosen campaign"
        : ` in the ${campaigns.length} chosen campaigns`;
  }
  return { text, one };
}

function percentText(value: unknown): { up: boolean; text: string } {
  const text = decimal(value);
  if (text === null) return { up: true, text: MISSING };
  return { up: !text.startsWith("-"), text: text.replace(/^-/, "") };
}

function does(action: Json, who: string): string {
  const change = percentText(action.percent);
  const verb = change.up ? "Raise" : "Lower";
  let text: string;
  switch (action.type) {
    case "pause":
      return `Pause ${who}`;
    case "unpause":
      return `Unpause ${who}`;
    case "notify":
      return `Notify about ${who}`;
    case "change_budget":
      text = `${verb} the daily budget of ${who} by ${change.text}%`;
      break;
    case "set_budget":
      text = `Set the daily budget of ${who} to ${money(action.amount)}`;
      break;
    case "change_bid":
      text = `${verb} the bid of ${who} by ${change.text}%`;
      break;
    case "set_bid":
      text = `Set the bid of ${who} to ${money(action.amount)}`;
      break;
    default:
      return `Act on ${who}`;
  }
  const caps: string[] = [];
  if (decimal(action.min) !== null) caps.push(`not below ${money(action.min)}`);
  if (decimal(action.max) !== null) caps.push(`not above ${money(action.max)}`);
  const guard = decimal(action.max_change_percent);
  if (guard !== null && Number(guard) !== 100) caps.push(`at most ${guard}% per run`);
  return caps.length ? `${text} (${caps.join(", ")})` : text;
}

function guards(conditions: Json): string {
  const parts: string[] = [];
  if (decimal(conditions.min_spend) !== null) parts.push(`${money(conditions.min_spend)} spend`);
  const impressions = decimal(conditions.min_impressions);
  if (impressions !== null) parts.push(`${grouped.format(Number(impressions))} impressions`);
  if (!parts.length) return "";
  const days = Number(conditions.lookback_days);
  const window = `last_${Number.isInteger(days) && days > 0 ? days : 7}_days`;
  return `, judged only after ${listed(parts, "and")} ${windowText(window)}`;
}

function checked(schedule: unknown): string {
  if (!isRecord(schedule)) return ", checked on the service's regular interval";
  let text: string;
  switch (schedule.frequency) {
    case "continuous":
      text = "checked every 30 minutes";
      break;
    case "hourly":
      text = "checked every hour";
      break;
    case "daily":
      text = `checked daily at ${typeof schedule.time === "string" && schedule.time ? schedule.time : MISSING}`;
      break;
    case "custom": {
      const days = strings(schedule.days).map((d) => WEEKDAYS[d as keyof typeof WEEKDAYS] ?? d);
      const hours = Array.isArray(schedule.hours) ? schedule.hours : [0];
      const on = days.length ? `on ${listed(days, "and")}` : "every day";
      text = `checked ${on} at ${listed(hours.map(hourLabel), "and")}`;
      break;
    }
    default:
      text = "checked on a schedule the dashboard does not know";
  }
  const zone = typeof schedule.time_zone === "string" ? schedule.time_zone : "";
  return zone ? `, ${text} (${zone})` : `, ${text}`;
}

function cooldown(conditions: Json, one: string): string {
  const hours = Number(conditions.cooldown_hours);
  if (!Number.isInteger(hours) || hours === 24 || conditions.cooldown_hours == null) return "";
  if (hours === 0) return `; it may act on the same ${one} at every check`;
  return `; it waits ${plural(hours, "hour")} before acting on the same ${one} again`;
}

/** The sentence for a rule's conditions (filters, any, scope, action, schedule, guards). */
export function describeRule(conditions: Json): string {
  const action = isRecord(conditions.action) ? conditions.action : {};
  const who = objects(conditions, action);
  return `${does(action, who.text)} ${when(conditions)}${guards(conditions)}${checked(
    conditions.schedule,
  )}${cooldown(conditions, who.one)}.`;
}
