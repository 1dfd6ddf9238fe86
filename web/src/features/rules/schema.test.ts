import { describe, expect, it } from "vitest";
import { ruleBody, ruleFormSchema, ruleUpdateBody, ruleValuesOf } from "./schema";

const valid = {
  name: "Stop losers",
  rule_type: "pause_low_roas",
  threshold: "1.5",
  lookback_days: "14",
  is_active: true,
};

describe("rule form", () => {
  it("builds the API body with the lookback in the conditions", () => {
    expect(ruleBody(ruleFormSchema.parse(valid))).toEqual({
      name: "Stop losers",
      rule_type: "pause_low_roas",
      threshold: "1.5",
      is_active: true,
      conditions: { lookback_days: 14, cooldown_hours: 24 },
    });
  });

  it.each([
    [{ threshold: "0" }, "threshold"],
    [{ threshold: "abc" }, "threshold"],
    [{ lookback_days: "91" }, "lookback_days"],
    [{ rule_type: "delete_everything" }, "rule_type"],
  ])("refuses %o", (patch, field) => {
    const result = ruleFormSchema.safeParse({ ...valid, ...patch });
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });
});

describe("rule edit", () => {
  const read = {
    id: "r1",
    name: "Stop losers",
    rule_type: "pause_low_roas" as const,
    threshold: 1.5,
    is_active: false,
    conditions: { lookback_days: 14, cooldown_hours: 6, min_spend: "20.00", filters: null },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    last_executed: null,
    executions_count: 0,
  };

  it("starts from the rule's values", () => {
    expect(ruleValuesOf(read)).toEqual({
      name: "Stop losers",
      rule_type: "pause_low_roas",
      threshold: "1.5",
      lookback_days: 14,
      is_active: false,
    });
  });

  it("sends back the conditions the form does not show, with the new lookback", () => {
    const values = ruleFormSchema.parse({ ...ruleValuesOf(read), lookback_days: "30" });
    expect(ruleUpdateBody(values, read.conditions).conditions).toEqual({
      lookback_days: 30,
      cooldown_hours: 6,
      min_spend: "20.00",
      filters: null,
    });
  });
});
