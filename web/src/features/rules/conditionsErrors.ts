// The API's 422s on a rule, put under the builder's field they are about. Nested fields come
// as `loc` paths (body, conditions, filters, 0, value); checks across a whole object come on
// the object (body, conditions, schedule) and are placed by what they say.
import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { ApiError, errorMessage } from "../../lib/errors";

const ROW_FIELDS = ["metric", "operator", "window"];
const ACTION_FIELDS = ["type", "percent", "amount", "min", "max", "max_change_percent"];
const SCOPE_FIELDS = ["level", "name_contains", "statuses", "platforms"];
const SCHEDULE_FIELDS = ["frequency", "time", "days", "hours", "time_zone"];
const GUARDS = ["lookback_days", "min_spend", "min_impressions", "cooldown_hours"];

/** Cross-field refusals (whole conditions, body or schedule), by what they say. */
const BY_MESSAGE: [RegExp, string][] = [
  [/budget actions|bid actions|give an action|belongs to the presets/i, "action.type"],
  [/audience metrics/i, "scope.level"],
  [/campaign_ids or scope\.ids/i, "scope.campaign_ids"],
  [/filters must not be empty/i, "filters"],
  [/threshold/i, "rule_type"],
  [/time zone/i, "schedule.time_zone"],
  [/needs a time|time only applies/i, "schedule.time"],
  [/days and\/or hours|days and hours/i, "schedule.days"],
];

function byMessage(msg: string): string | null {
  return BY_MESSAGE.find(([pattern]) => pattern.test(msg))?.[1] ?? null;
}

function rowField(group: string, rest: (string | number)[]): string {
  const [index, field, , position] = rest;
  if (typeof index !== "number") return group;
  if (typeof field === "string" && ROW_FIELDS.includes(field)) return `${group}.${index}.${field}`;
  // value, value.decimal, value.list[decimal].1 (the upper end of a range), or the whole row
  return `${group}.${index}.${position === 1 ? "high" : "value"}`;
}

/** The form field an API `loc` (with or without "body") and message belong to; null: the form. */
export function formFieldOf(loc: readonly (string | number)[], msg: string): string | null {
  const path = loc[0] === "body" ? loc.slice(1) : [...loc];
  const [top, part, ...rest] = path;
  if (top === undefined) return byMessage(msg);
  if (top === "name" || top === "rule_type" || top === "is_active") return top;
  if (top === "threshold") return "rule_type";
  if (top !== "conditions") return null;
  if (part === undefined) return byMessage(msg);
  if (typeof part !== "string") return null;
  if (GUARDS.includes(part)) return part;
  if (part === "campaign_ids") return "scope.campaign_ids";
  if (part === "filters" || part === "any") return rowField(part, rest);
  const field = typeof rest[0] === "string" ? rest[0] : undefined;
  if (part === "action") {
    return field && ACTION_FIELDS.includes(field) ? `action.${field}` : "action.type";
  }
  if (part === "scope") {
    if (field === "ids") return "scope.campaign_ids";
    return field && SCOPE_FIELDS.includes(field) ? `scope.${field}` : "scope.level";
  }
  if (part === "schedule") {
    if (field && SCHEDULE_FIELDS.includes(field)) return `schedule.${field}`;
    return byMessage(msg) ?? "schedule.frequency";
  }
  return null;
}

/**
 * Puts an API error where the user acted: each 422 item under its field (the first one per
 * field), anything else (and any error that is not a 422) at the foot of the form.
 */
export function placeServerError<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
): void {
  const placed = new Set<string>();
  const rest: string[] = [];
  const problems = error instanceof ApiError && error.status === 422 ? error.problems : [];
  for (const { loc, msg } of problems) {
    const field = formFieldOf(loc, msg);
    if (field === null) rest.push(msg);
    else if (!placed.has(field)) {
      placed.add(field);
      setError(field as Path<T>, { type: "server", message: msg });
    }
  }
  if (!placed.size || rest.length) {
    const message = rest.length ? rest.join(" ") : errorMessage(error);
    setError("root.server" as Path<T>, { type: "server", message });
  }
}
