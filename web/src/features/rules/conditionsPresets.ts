// The four presets as the API expands them (services/campaigns rule/presets.py): the
// builder's templates, and the expansion of preset-only rules where the page has no
// `?expand=true` answer at hand (the rules list).
import type { components } from "../../api/schema";
import type { RuleType } from "./conditionsTerms";

type Schemas = components["schemas"];
type Filter = Schemas["Filter-Input"];
type Action = Schemas["Action-Input"];

/** A template's threshold before the user types one: the value its first filter starts at. */
export const TEMPLATE_THRESHOLDS = {
  pause_low_roas: "1",
  increase_budget_high_roas: "3",
  decrease_budget_low_ctr: "0.01",
  pause_no_conversions: "50",
} as const satisfies Record<RuleType, string>;

/** The metric of each preset whose value is the rule's `threshold`. */
export const THRESHOLD_METRICS = {
  pause_low_roas: "roas",
  increase_budget_high_roas: "roas",
  decrease_budget_low_ctr: "ctr",
  pause_no_conversions: "spend",
} as const satisfies Record<RuleType, Filter["metric"]>;

const DEFAULT_PERCENT = 20;
const DEFAULT_GUARD = 100;

export function presetFilters(ruleType: RuleType, threshold: number, window: string): Filter[] {
  switch (ruleType) {
    case "pause_low_roas":
      return [{ metric: "roas", operator: "<", value: threshold, window }];
    case "increase_budget_high_roas":
      return [{ metric: "roas", operator: ">=", value: threshold, window }];
    case "decrease_budget_low_ctr":
      return [{ metric: "ctr", operator: "<", value: threshold, window }];
    case "pause_no_conversions":
      return [
        { metric: "conversions", operator: "<=", value: 0, window },
        { metric: "spend", operator: ">=", value: threshold, window },
      ];
  }
}

interface PresetKnobs {
  budget_change_percent?: unknown;
  min_budget?: unknown;
  max_budget?: unknown;
}

function money(value: unknown): string | null {
  if (typeof value !== "number" && typeof value !== "string") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number.toFixed(2) : null;
}

export function presetAction(ruleType: RuleType, knobs: PresetKnobs = {}): Action {
  const given = Number(knobs.budget_change_percent);
  const percent = Number.isFinite(given) && given > 0 ? given : DEFAULT_PERCENT;
  if (ruleType === "increase_budget_high_roas") {
    const max = money(knobs.max_budget);
    return {
      type: "change_budget",
      percent,
      ...(max ? { max } : {}),
      max_change_percent: Math.max(percent, DEFAULT_GUARD),
    };
  }
  if (ruleType === "decrease_budget_low_ctr") {
    return {
      type: "change_budget",
      percent: -percent,
      min: money(knobs.min_budget) ?? "1.00",
      max_change_percent: DEFAULT_GUARD,
    };
  }
  return { type: "pause", max_change_percent: DEFAULT_GUARD };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A rule's conditions with the filters, action and scope that run filled in, as
 * `GET /rules/{id}?expand=true` answers them.
 */
export function expandConditions(
  ruleType: RuleType,
  threshold: number,
  conditions: Record<string, unknown>,
): Record<string, unknown> {
  const lookback = Number(conditions.lookback_days);
  const window = `last_${Number.isInteger(lookback) && lookback > 0 ? lookback : 7}_days`;
  const own = Array.isArray(conditions.filters) || Array.isArray(conditions.any);
  const filters = own
    ? Array.isArray(conditions.filters)
      ? conditions.filters
      : []
    : presetFilters(ruleType, threshold, window);
  const action = isRecord(conditions.action)
    ? conditions.action
    : presetAction(ruleType, conditions);
  const ids = Array.isArray(conditions.campaign_ids) ? conditions.campaign_ids : null;
  const scope: Record<string, unknown> = isRecord(conditions.scope)
    ? { ...conditions.scope }
    : { level: "campaign", ids };
  if (ids) scope.ids = null; // campaign_ids stays where it was given
  if (!Array.isArray(scope.statuses)) {
    scope.statuses = action.type === "unpause" ? ["paused"] : ["active"];
  }
  return {
    ...conditions,
    filters,
    any: Array.isArray(conditions.any) && conditions.any.length > 0 ? conditions.any : null,
    action,
    scope,
  };
}
