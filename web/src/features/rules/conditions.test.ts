import { describe, expect, it } from "vitest";
import type { components } from "../../api/schema";
import {
  conditionsBody,
  emptyRule,
  keptNames,
  needsExpansion,
  ruleCreateBody,
  ruleFormValuesOf,
  ruleUpdateBody,
  templateParts,
  thresholdOf,
  withoutNulls,
} from "./conditions";
import {
  CHEAPER_CLICKS,
  firstRow,
  PRESET_ONLY,
  PRESET_ONLY_EXPANDED,
  SCALE_WINNERS,
  STOP_BLEEDERS,
} from "./conditionsExamples";
import { expandConditions } from "./conditionsPresets";
import { apiValue, plainDecimal, shiftDecimal, shownValue, withCents } from "./conditionsTerms";
import { type RuleFormValues, ruleFormSchema } from "./schema";

type RuleRead = components["schemas"]["RuleRead"];

function withConditions(rule: RuleRead, conditions: Record<string, unknown>): RuleRead {
  return { ...rule, conditions };
}

/** The rule the browser test builds: campaign level, a between, an alternative, a capped raise. */
function customRule(): RuleFormValues {
  const values = emptyRule();
  return {
    ...values,
    name: "Scale prospecting",
    scope: { ...values.scope, name_contains: "prospecting", platforms: ["meta"] },
    action: { ...values.action, type: "change_budget", percent: "10", max: "105" },
    filters: [
      {
        ...firstRow(values),
        operator: "between",
        value: "0",
        high: "1000",
        window: "last_30_days",
      },
      { metric: "spend", operator: ">=", value: "1", high: "", window: "last_30_days", extra: {} },
    ],
    any: [
      { metric: "ctr", operator: "<", value: "100", high: "", window: "last_30_days", extra: {} },
    ],
    min_spend: "1",
    schedule: { ...values.schedule, frequency: "daily", time: "08:00" },
  };
}

describe("form values → the API's body", () => {
  it("builds the conditions of a custom rule in the API's units", () => {
    expect(ruleCreateBody(ruleFormSchema.parse(customRule()))).toEqual({
      name: "Scale prospecting",
      rule_type: "pause_low_roas",
      threshold: "1",
      is_active: true,
      conditions: {
        lookback_days: 7,
        cooldown_hours: 24,
        min_spend: "1.00",
        filters: [
          { metric: "roas", operator: "between", value: [0, 1000], window: "last_30_days" },
          { metric: "spend", operator: ">=", value: 1, window: "last_30_days" },
        ],
        any: [{ metric: "ctr", operator: "<", value: 1, window: "last_30_days" }],
        scope: { level: "campaign", name_contains: "prospecting", platforms: ["meta"] },
        action: { type: "change_budget", percent: 10, max: "105.00", max_change_percent: 100 },
        schedule: { frequency: "daily", time: "08:00" },
      },
    });
  });

  it("sends a lower by a negative percent, a set amount, and only the fields an action takes", () => {
    const values = emptyRule();
    const lower = { ...values.action, type: "change_bid" as const, direction: "down" as const };
    expect(
      conditionsBody({ ...values, action: { ...lower, percent: "30", min: "0.5" } }).action,
    ).toEqual({
      type: "change_bid",
      percent: -30,
      min: "0.50",
      max_change_percent: 100,
    });
    const set = { ...values.action, type: "set_budget" as const, amount: "25", percent: "20" };
    expect(conditionsBody({ ...values, action: set }).action).toEqual({
      type: "set_budget",
      amount: "25.00",
      max_change_percent: 100,
    });
    const pause = { ...values.action, type: "pause" as const, min: "3", max: "9" };
    expect(conditionsBody({ ...values, action: pause }).action).toEqual({
      type: "pause",
      max_change_percent: 100,
    });
  });

  it("puts picked campaigns in campaign_ids and ad groups in scope.ids", () => {
    const values = emptyRule();
    const campaigns = conditionsBody({
      ...values,
      scope: { ...values.scope, campaign_ids: ["c1", "c2"] },
    });
    expect(campaigns.campaign_ids).toEqual(["c1", "c2"]);
    expect(campaigns.scope).toBeUndefined();
    const adGroups = conditionsBody({
      ...values,
      scope: { ...values.scope, level: "ad_group", ad_group_ids: ["g1"] },
    });
    expect(adGroups.scope).toEqual({ level: "ad_group", ids: ["g1"] });
    expect(adGroups.campaign_ids).toBeUndefined();
  });

  it("sends chosen ad groups as scope.ids and never the choice itself", () => {
    const values = emptyRule();
    const scope = { ...values.scope, level: "ad_group" as const, platforms: ["meta" as const] };
    const chosen = conditionsBody({
      ...values,
      scope: { ...scope, ad_group_ids: ["g2", "g1"], limit: "ad_groups" },
    });
    expect(chosen.scope).toEqual({ level: "ad_group", ids: ["g2", "g1"], platforms: ["meta"] });
    expect(chosen).not.toHaveProperty("campaign_ids");
    // chosen but none picked yet: every ad group that matches the rest
    const none = conditionsBody({ ...values, scope: { ...scope, limit: "ad_groups" } });
    expect(none.scope).toEqual({ level: "ad_group", platforms: ["meta"] });
    expect(none).not.toHaveProperty("campaign_ids");
  });

  it("sends campaigns picked for an ad-group rule as campaign_ids, never in scope.ids", () => {
    const values = emptyRule();
    const body = conditionsBody({
      ...values,
      scope: { ...values.scope, level: "ad_group", campaign_ids: ["c1", "c2"] },
    });
    expect(body.campaign_ids).toEqual(["c1", "c2"]);
    expect(body.scope).toEqual({ level: "ad_group" });
  });

  it("keeps the picked campaigns when the level changes, both ways", () => {
    // a stored campaign rule with its campaigns in scope.ids: back there at campaign level
    const stored = ruleFormValuesOf(
      withConditions(STOP_BLEEDERS, {
        filters: [{ metric: "roas", operator: "<", value: 1, window: "last_7_days" }],
        scope: { level: "campaign", ids: ["c1"] },
        action: { type: "pause" },
      }),
    );
    for (const values of [emptyRule(), stored]) {
      const picked = { ...values.scope, campaign_ids: ["c1"] };
      const atGroups = conditionsBody({ ...values, scope: { ...picked, level: "ad_group" } });
      expect(atGroups.campaign_ids).toEqual(["c1"]);
      expect(atGroups.scope).toEqual({ level: "ad_group" });
      const back = conditionsBody({ ...values, scope: { ...picked, level: "campaign" } });
      const inScope = values.stored.ids_in_scope;
      expect(back.campaign_ids).toEqual(inScope ? undefined : ["c1"]);
      expect(back.scope?.ids).toEqual(inScope ? ["c1"] : undefined);
    }
  });

  it("writes statuses, platforms, days and hours in a fixed order, whatever the clicks", () => {
    const values = emptyRule();
    const body = conditionsBody({
      ...values,
      scope: { ...values.scope, statuses: ["paused", "active"], platforms: ["google", "meta"] },
      schedule: {
        ...values.schedule,
        frequency: "custom",
        days: ["thu", "mon"],
        hours: ["13", "9"],
        time_zone: " Europe/Paris ",
      },
    });
    expect(body.scope).toEqual({
      level: "campaign",
      statuses: ["active", "paused"],
      platforms: ["meta", "google"],
    });
    expect(body.schedule).toEqual({
      frequency: "custom",
      days: ["mon", "thu"],
      hours: [9, 13],
      time_zone: "Europe/Paris",
    });
  });

  it("leaves the schedule out when there is none", () => {
    expect(conditionsBody(emptyRule()).schedule).toBeUndefined();
  });

  it("a PATCH sends everything, conditions whole", () => {
    const values = ruleFormValuesOf(SCALE_WINNERS);
    const body = ruleUpdateBody({ ...values, name: "Scale more", is_active: false });
    expect(body).toMatchObject({
      name: "Scale more",
      rule_type: "increase_budget_high_roas",
      threshold: "3",
      is_active: false,
    });
    expect(body.conditions).toEqual(withoutNulls(SCALE_WINNERS.conditions));
  });
});

describe("the API's rule → form values", () => {
  it("shows CTR in %, money with cents, ranges as two values", () => {
    const values = ruleFormValuesOf(STOP_BLEEDERS);
    expect(values.filters).toEqual([
      { metric: "roas", operator: "<", value: "0.8", high: "", window: "last_7_days", extra: {} },
      {
        metric: "spend",
        operator: ">=",
        value: "50.00",
        high: "",
        window: "last_3_days",
        extra: {},
      },
    ]);
    expect(values.any).toEqual([
      { metric: "ctr", operator: "<", value: "0.5", high: "", window: "last_14_days", extra: {} },
      {
        metric: "cpa",
        operator: "not_between",
        value: "0.00",
        high: "40.00",
        window: "lifetime",
        extra: {},
      },
    ]);
    expect(values.scope).toMatchObject({
      level: "campaign",
      name_contains: "prospecting",
      platforms: ["meta", "google"],
      statuses: [],
    });
    expect(values.schedule).toMatchObject({ frequency: "daily", time: "08:00" });
    expect(values.action).toMatchObject({ type: "pause", max_change_percent: "100" });
  });

  it("reads a raise, a lower and a set with their caps", () => {
    expect(ruleFormValuesOf(SCALE_WINNERS).action).toMatchObject({
      type: "change_budget",
      direction: "up",
      percent: "15",
      max: "500.00",
      min: "",
      max_change_percent: "20",
    });
    expect(ruleFormValuesOf(CHEAPER_CLICKS).action).toMatchObject({
      type: "set_bid",
      amount: "1.20",
      min: "0.50",
    });
    const lower = withConditions(SCALE_WINNERS, {
      ...SCALE_WINNERS.conditions,
      action: { type: "change_budget", percent: -30.0, max_change_percent: 100.0 },
    });
    expect(ruleFormValuesOf(lower).action).toMatchObject({ direction: "down", percent: "30" });
  });

  it("shows what runs for a preset-only rule, its budget knobs inside the action", () => {
    expect(needsExpansion(PRESET_ONLY)).toBe(true);
    expect(needsExpansion(STOP_BLEEDERS)).toBe(false);
    const values = ruleFormValuesOf(PRESET_ONLY, PRESET_ONLY_EXPANDED);
    expect(values.filters).toEqual([
      { metric: "roas", operator: ">=", value: "2.5", high: "", window: "last_14_days", extra: {} },
    ]);
    expect(values.action).toMatchObject({ type: "change_budget", percent: "30", max: "900.00" });
    expect(keptNames(values)).toEqual([]);
    const body = conditionsBody(values);
    expect(body).toEqual({
      lookback_days: 14,
      cooldown_hours: 24,
      filters: [{ metric: "roas", operator: ">=", value: 2.5, window: "last_14_days" }],
      action: { type: "change_budget", percent: 30, max: "900.00", max_change_percent: 100 },
    });
    // the knobs would be refused next to an action
    expect(body).not.toHaveProperty("budget_change_percent");
    expect(body).not.toHaveProperty("max_budget");
  });
});

describe("round trip: a stored rule saved unchanged is stored unchanged", () => {
  it.each([
    ["Stop bleeders", STOP_BLEEDERS],
    ["Scale winners", SCALE_WINNERS],
    ["Cheaper clicks", CHEAPER_CLICKS],
  ])("%s", (_, rule) => {
    const values = ruleFormValuesOf(rule);
    expect(ruleFormSchema.safeParse(values).success).toBe(true);
    expect(conditionsBody(values)).toEqual(withoutNulls(rule.conditions));
    expect(thresholdOf(values)).toBe(plainDecimal(rule.threshold));
  });

  it("keeps what the builder does not know, at every level, and says so", () => {
    const conditions = {
      ...STOP_BLEEDERS.conditions,
      campaign_ids: ["11111111-1111-4111-8111-111111111111"],
      future_knob: { x: 1 },
      filters: [
        { metric: "roas", operator: "<", value: 0.8, window: "last_7_days", weight: 2 },
        { metric: "frequency", operator: ">", value: 3, window: "last_7_days" },
      ],
      scope: { level: "campaign", name_contains: "prospecting", labels: ["q1"] },
      action: { type: "pause", max_change_percent: 100.0, note: "hi" },
      schedule: { frequency: "hourly", jitter: 5 },
    };
    const rule = withConditions(STOP_BLEEDERS, conditions);
    const values = ruleFormValuesOf(rule);
    expect(values.scope.campaign_ids).toEqual(["11111111-1111-4111-8111-111111111111"]);
    expect(keptNames(values)).toEqual([
      "future_knob",
      "1 condition",
      "scope.labels",
      "action.note",
      "schedule.jitter",
      "condition 1.weight",
    ]);
    expect(conditionsBody(values)).toEqual(withoutNulls(conditions));
  });

  it("keeps an action or schedule it cannot read whole, over what the form shows", () => {
    const conditions = {
      lookback_days: 7,
      cooldown_hours: 24,
      filters: [{ metric: "roas", operator: "<", value: 1, window: "last_7_days" }],
      action: { type: "duplicate", copies: 2 },
      schedule: { frequency: "weekly", day: "mon" },
    };
    const values = ruleFormValuesOf(withConditions(STOP_BLEEDERS, conditions));
    expect(keptNames(values)).toEqual(["action", "schedule"]);
    expect(conditionsBody(values)).toEqual(conditions);
  });

  it("keeps campaigns given as scope.ids there, and ad groups at ad-group level", () => {
    const inScope = {
      lookback_days: 7,
      cooldown_hours: 24,
      filters: [{ metric: "roas", operator: "<", value: 1, window: "last_7_days" }],
      scope: { level: "campaign", ids: ["c1"] },
      action: { type: "pause", max_change_percent: 100 },
    };
    const values = ruleFormValuesOf(withConditions(STOP_BLEEDERS, inScope));
    expect(values.scope.campaign_ids).toEqual(["c1"]);
    expect(conditionsBody(values)).toEqual(inScope);
    const adGroups = { ...inScope, scope: { level: "ad_group", ids: ["g1", "g2"] } };
    const groupValues = ruleFormValuesOf(withConditions(STOP_BLEEDERS, adGroups));
    expect(groupValues.scope).toMatchObject({ ad_group_ids: ["g1", "g2"], campaign_ids: [] });
    expect(conditionsBody(groupValues)).toEqual(adGroups);
  });

  it("reads an ad-group rule's campaign_ids into the picker, its scope.ids as ad groups", () => {
    const conditions = { ...CHEAPER_CLICKS.conditions, campaign_ids: ["c1", "c2"] };
    const values = ruleFormValuesOf(withConditions(CHEAPER_CLICKS, conditions));
    expect(values.scope).toMatchObject({
      level: "ad_group",
      campaign_ids: ["c1", "c2"],
      ad_group_ids: [],
    });
    expect(ruleFormSchema.safeParse(values).success).toBe(true);
    expect(keptNames(values)).toEqual([]);
    expect(conditionsBody(values)).toEqual(withoutNulls(conditions));
    const adGroups = {
      ...CHEAPER_CLICKS.conditions,
      scope: { level: "ad_group", ids: ["g1"], statuses: ["active"] },
    };
    const groupValues = ruleFormValuesOf(withConditions(CHEAPER_CLICKS, adGroups));
    expect(groupValues.scope).toMatchObject({ campaign_ids: [], ad_group_ids: ["g1"] });
    expect(conditionsBody(groupValues)).toEqual(withoutNulls(adGroups));
  });

  it("reads chosen ad groups as the choice with them ticked, and sends them back", () => {
    const conditions = {
      lookback_days: 7,
      cooldown_hours: 24,
      filters: [{ metric: "cpc", operator: ">", value: 2.5, window: "last_3_days" }],
      scope: {
        level: "ad_group",
        ids: ["g1", "g2", "g3"],
        name_contains: "brand",
        statuses: ["active", "paused"],
      },
      action: { type: "pause", max_change_percent: 100 },
    };
    const values = ruleFormValuesOf(withConditions(CHEAPER_CLICKS, conditions));
    expect(values.scope).toMatchObject({
      level: "ad_group",
      campaign_ids: [],
      ad_group_ids: ["g1", "g2", "g3"],
      limit: "ad_groups",
    });
    expect(ruleFormSchema.safeParse(values).success).toBe(true);
    expect(keptNames(values)).toEqual([]);
    expect(conditionsBody(values)).toEqual(conditions);
    // the choice follows what is stored: campaigns, or neither
    const campaigns = { ...conditions, campaign_ids: ["c1"], scope: { level: "ad_group" } };
    expect(ruleFormValuesOf(withConditions(CHEAPER_CLICKS, campaigns)).scope.limit).toBe(
      "campaigns",
    );
    const every = { ...conditions, scope: { level: "ad_group" } };
    expect(ruleFormValuesOf(withConditions(CHEAPER_CLICKS, every)).scope.limit).toBe("none");
  });

  it("keeps an explicit campaign scope, an empty filters list and a zero cooldown", () => {
    const conditions = {
      lookback_days: 30,
      cooldown_hours: 0,
      min_impressions: 1000,
      filters: [],
      any: [{ metric: "ctr", operator: "<", value: 0.0125, window: "today" }],
      scope: { level: "campaign" },
      action: { type: "notify", max_change_percent: 100 },
    };
    const values = ruleFormValuesOf(withConditions(STOP_BLEEDERS, conditions));
    expect(values.any[0]?.value).toBe("1.25");
    expect(conditionsBody(values)).toEqual(conditions);
  });
});

describe("CTR in %, the API's CTR a fraction", () => {
  it.each([
    [0.005, "0.5"],
    [0.0125, "1.25"],
    [0.011, "1.1"],
    [0.000001, "0.0001"],
    [1, "100"],
    [0, "0"],
  ])("the API's %s shows as %s %%, and goes back exactly", (api, shown) => {
    expect(shownValue("ctr", api)).toBe(shown);
    expect(apiValue("ctr", shown)).toBe(api);
  });

  it("does not go through floating point (1.1 / 100 is 0.011000000000000001)", () => {
    expect(1.1 / 100).not.toBe(0.011);
    expect(apiValue("ctr", "1.1")).toBe(0.011);
  });

  it("leaves other metrics alone, money with cents", () => {
    expect(shownValue("roas", 0.8)).toBe("0.8");
    expect(shownValue("spend", 50)).toBe("50.00");
    expect(shownValue("cpc", 2.555)).toBe("2.555");
    expect(shownValue("audience_match_rate", 40)).toBe("40");
    expect(apiValue("spend", "50.00")).toBe(50);
    expect(apiValue("roas", "abc")).toBeNaN();
  });

  it("shifts decimal text both ways", () => {
    expect(shiftDecimal("0.5", -2)).toBe("0.005");
    expect(shiftDecimal("12", -5)).toBe("0.00012");
    expect(shiftDecimal("0.00012", 5)).toBe("12");
    expect(shiftDecimal("-3.5", 1)).toBe("-35");
    expect(plainDecimal(1e-7)).toBe("0.0000001");
    expect(withCents("7")).toBe("7.00");
    expect(withCents("7.5")).toBe("7.50");
  });
});

describe("the API's threshold", () => {
  const base = emptyRule("decrease_budget_low_ctr");

  it("is the value of the template's metric, CTR as a fraction", () => {
    expect(base.filters[0]).toMatchObject({ metric: "ctr", value: "1" });
    expect(thresholdOf(base)).toBe("0.01");
    const typed = { ...base, filters: [{ ...firstRow(base), value: "0.5" }] };
    expect(thresholdOf(typed)).toBe("0.005");
  });

  it("falls back when the API could not take the value", () => {
    const row = firstRow(base);
    const cases = [
      { ...row, value: "0.125" }, // 0.00125: five decimals
      { ...row, value: "100" }, // CTR 1: the API wants it below 1
      { ...row, value: "0" },
      { ...row, operator: "between" as const, value: "1", high: "2" },
      { ...row, metric: "cpc" as const, value: "2" },
    ];
    for (const filter of cases) {
      expect(thresholdOf({ ...base, filters: [filter], threshold: "0.02" })).toBe("0.02");
      expect(thresholdOf({ ...base, filters: [filter] })).toBe("0.01"); // the template's
    }
  });

  it("stays what it was on a stored rule until its condition's value changes", () => {
    const values = ruleFormValuesOf(STOP_BLEEDERS); // threshold 1, its ROAS condition 0.8
    expect(values).toMatchObject({ threshold: "1", threshold_seen: "0.8" });
    expect(thresholdOf(values)).toBe("1");
    const row = { ...firstRow(values), value: "0.6" };
    expect(thresholdOf({ ...values, filters: [row, ...values.filters.slice(1)] })).toBe("0.6");
    expect(thresholdOf({ ...values, filters: values.filters.slice(1) })).toBe("1");
  });

  it("is the spend of a no-conversions template (its second filter)", () => {
    const values = emptyRule("pause_no_conversions");
    expect(values.filters.map((f) => [f.metric, f.operator, f.value])).toEqual([
      ["conversions", "<=", "0"],
      ["spend", ">=", "50.00"],
    ]);
    expect(thresholdOf(values)).toBe("50");
  });
});

describe("templates: the API's preset expansion", () => {
  it("matches the API's ?expand=true answer", () => {
    const local = expandConditions(
      PRESET_ONLY.rule_type,
      PRESET_ONLY.threshold,
      PRESET_ONLY.conditions,
    );
    expect(withoutNulls(local)).toEqual(withoutNulls(PRESET_ONLY_EXPANDED.conditions));
  });

  it.each([
    ["pause_low_roas", [["roas", "<", "1"]], { type: "pause" }],
    ["increase_budget_high_roas", [["roas", ">=", "3"]], { type: "change_budget", percent: "20" }],
    [
      "decrease_budget_low_ctr",
      [["ctr", "<", "1"]],
      { type: "change_budget", direction: "down", percent: "20", min: "1.00" },
    ],
  ] as const)("%s fills its filters and action", (ruleType, filters, action) => {
    const parts = templateParts(ruleType, "14");
    expect(parts.filters.map((f) => [f.metric, f.operator, f.value])).toEqual(filters);
    expect(parts.filters.every((f) => f.window === "last_14_days")).toBe(true);
    expect(parts.action).toMatchObject(action);
  });

  it("an unpause rule judges paused objects unless told otherwise", () => {
    const expanded = expandConditions("pause_low_roas", 1, {
      filters: [],
      any: [{ metric: "roas", operator: ">", value: 2 }],
      action: { type: "unpause" },
    });
    expect(expanded.scope).toMatchObject({ statuses: ["paused"] });
  });
});
