import { describe, expect, it } from "vitest";
import { conditionsBody, emptyRule } from "./conditions";
import {
  CHEAPER_CLICKS,
  firstRow,
  PRESET_ONLY,
  PRESET_ONLY_EXPANDED,
  SCALE_WINNERS,
  STOP_BLEEDERS,
} from "./conditionsExamples";
import { expandConditions } from "./conditionsPresets";
import { describeFilter, describeRule } from "./describe";

describe("a rule in one sentence", () => {
  it("README: Stop bleeders", () => {
    expect(describeRule(STOP_BLEEDERS.conditions)).toBe(
      "Pause campaigns on Meta or Google whose name contains “prospecting” when ROAS < 0.8 " +
        "over the last 7 days and spend ≥ $50.00 over the last 3 days and at least one of: " +
        "CTR < 0.5% over the last 14 days or CPA not between $0.00 and $40.00 over its " +
        "lifetime, checked daily at 08:00.",
    );
  });

  it("README: Scale winners", () => {
    expect(describeRule(SCALE_WINNERS.conditions)).toBe(
      "Raise the daily budget of campaigns by 15% (not above $500.00, at most 20% per run) " +
        "when ROAS ≥ 3 yesterday and age > 7 days, checked on Mon and Thu at 09:00.",
    );
  });

  it("README: Cheaper clicks", () => {
    expect(describeRule(CHEAPER_CLICKS.conditions)).toBe(
      "Set the bid of ad groups to $1.20 (not below $0.50) when CPC > $2.50 over the last " +
        "3 days, checked on the service's regular interval.",
    );
  });

  it("a preset-only rule, from its expansion", () => {
    const expected =
      "Raise the daily budget of campaigns by 30% (not above $900.00) when ROAS ≥ 2.5 over " +
      "the last 14 days, checked on the service's regular interval.";
    expect(describeRule(PRESET_ONLY_EXPANDED.conditions)).toBe(expected);
    const local = expandConditions(
      PRESET_ONLY.rule_type,
      PRESET_ONLY.threshold,
      PRESET_ONLY.conditions,
    );
    expect(describeRule(local)).toBe(expected);
  });

  it("what the builder starts with", () => {
    expect(describeRule(conditionsBody(emptyRule()))).toBe(
      "Pause campaigns when ROAS < 1 over the last 7 days, checked on the service's regular interval.",
    );
  });

  it("chosen objects, statuses, minimums, a lowered budget, a custom schedule and a cooldown", () => {
    expect(
      describeRule({
        campaign_ids: ["c1", "c2", "c3"],
        scope: { level: "campaign", statuses: ["active", "paused"], platforms: ["google"] },
        filters: [{ metric: "cpa", operator: ">", value: 40, window: "today" }],
        any: [{ metric: "conversions", operator: "<", value: 1, window: "last_1_days" }],
        action: { type: "change_budget", percent: -25, min: "5.00", max_change_percent: 100 },
        min_spend: "20.00",
        min_impressions: 1000,
        lookback_days: 3,
        cooldown_hours: 6,
        schedule: { frequency: "custom", hours: [9, 13, 17], time_zone: "Europe/Paris" },
      }),
    ).toBe(
      "Lower the daily budget of the 3 chosen active or paused campaigns on Google by 25% " +
        "(not below $5.00) when CPA > $40.00 today and at least one of: conversions < 1 over " +
        "the last day, judged only after $20.00 spend and 1,000 impressions over the last 3 " +
        "days, checked every day at 09:00, 13:00 and 17:00 (Europe/Paris); it waits 6 hours " +
        "before acting on the same campaign again.",
    );
  });

  it("unpause, notify, bids, and the other schedules", () => {
    const filters = [{ metric: "roas", operator: ">", value: 2, window: "last_30_days" }];
    expect(
      describeRule({
        filters,
        scope: { level: "ad_group", ids: ["g1"], statuses: ["paused"] },
        action: { type: "unpause" },
        schedule: { frequency: "hourly" },
        cooldown_hours: 0,
      }),
    ).toBe(
      "Unpause the chosen ad group when ROAS > 2 over the last 30 days, checked every hour; " +
        "it may act on the same ad group at every check.",
    );
    expect(
      describeRule({
        any: filters,
        action: { type: "notify" },
        schedule: { frequency: "continuous" },
      }),
    ).toBe("Notify about campaigns when ROAS > 2 over the last 30 days, checked every 30 minutes.");
    expect(
      describeRule({
        filters,
        scope: { level: "ad_group", statuses: ["active"] },
        action: { type: "change_bid", percent: 10, max: "3.00", max_change_percent: 50 },
      }),
    ).toBe(
      "Raise the bid of ad groups by 10% (not above $3.00, at most 50% per run) when ROAS > 2 " +
        "over the last 30 days, checked on the service's regular interval.",
    );
  });

  it("ad groups of chosen campaigns", () => {
    const conditions = {
      campaign_ids: ["c1", "c2"],
      scope: { level: "ad_group", name_contains: "brand", platforms: ["meta"] },
      filters: [{ metric: "cpc", operator: ">", value: 2.5, window: "last_3_days" }],
      action: { type: "pause" },
    };
    expect(describeRule(conditions)).toBe(
      "Pause ad groups on Meta whose name contains “brand” in the 2 chosen campaigns when " +
        "CPC > $2.50 over the last 3 days, checked on the service's regular interval.",
    );
    const one = { ...conditions, campaign_ids: ["c1"], scope: { level: "ad_group" } };
    expect(describeRule(one)).toContain("Pause ad groups in the chosen campaign when CPC");
    const values = emptyRule();
    const built = conditionsBody({
      ...values,
      scope: { ...values.scope, level: "ad_group", campaign_ids: ["c1", "c2", "c3"] },
    });
    expect(describeRule(built)).toBe(
      "Pause ad groups in the 3 chosen campaigns when ROAS < 1 over the last 7 days, checked " +
        "on the service's regular interval.",
    );
  });

  it("chosen ad groups", () => {
    const conditions = {
      scope: { level: "ad_group", ids: ["g1", "g2"], platforms: ["meta"] },
      filters: [{ metric: "cpc", operator: ">", value: 2.5, window: "last_3_days" }],
      action: { type: "pause" },
    };
    expect(describeRule(conditions)).toBe(
      "Pause the 2 chosen ad groups on Meta when CPC > $2.50 over the last 3 days, checked on " +
        "the service's regular interval.",
    );
    const values = emptyRule();
    const built = conditionsBody({
      ...values,
      scope: { ...values.scope, level: "ad_group", ad_group_ids: ["g1"], limit: "ad_groups" },
    });
    expect(describeRule(built)).toBe(
      "Pause the chosen ad group when ROAS < 1 over the last 7 days, checked on the service's " +
        "regular interval.",
    );
    const chosenNone = conditionsBody({
      ...values,
      scope: { ...values.scope, level: "ad_group", limit: "ad_groups" },
    });
    expect(describeRule(chosenNone)).toMatch(/^Pause ad groups when ROAS < 1/);
  });

  it("shows a value still being typed as …", () => {
    const values = emptyRule();
    const typing = { ...values, filters: [{ ...firstRow(values), value: "1." }] };
    expect(describeRule(conditionsBody(typing))).toContain("when ROAS < … over the last 7 days");
    expect(describeRule({ action: { type: "pause" } })).toContain("when … (no condition yet)");
  });
});

describe("one condition", () => {
  it.each([
    [
      { metric: "ctr", operator: "<", value: 0.0125, window: "last_7_days" },
      "CTR < 1.25% over the last 7 days",
    ],
    [
      { metric: "spend", operator: ">=", value: 1234.5, window: "lifetime" },
      "spend ≥ $1,234.50 over its lifetime",
    ],
    [
      { metric: "impressions", operator: "<=", value: 10000, window: "yesterday" },
      "impressions ≤ 10,000 yesterday",
    ],
    [
      { metric: "roas", operator: "between", value: [1, 2.5], window: "last_14_days" },
      "ROAS between 1 and 2.5 over the last 14 days",
    ],
    [
      { metric: "daily_budget", operator: "<", value: 10, window: "last_7_days" },
      "daily budget < $10.00",
    ],
    [{ metric: "age_days", operator: ">=", value: 1 }, "age ≥ 1 day"],
    [{ metric: "audience_match_rate", operator: "<", value: 40 }, "audience match rate < 40%"],
    [{ metric: "audience_failed", operator: ">=", value: 1 }, "failed audiences ≥ 1"],
    [{ metric: "frequency", operator: ">", value: 3 }, "a condition the dashboard does not know"],
  ])("%o", (filter, text) => {
    expect(describeFilter(filter)).toBe(text);
  });
});
