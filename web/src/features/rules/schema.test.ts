import { describe, expect, it } from "vitest";
import { ruleBody, ruleFormSchema } from "./schema";

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
