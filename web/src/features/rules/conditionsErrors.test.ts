import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/errors";
import { formFieldOf, placeServerError } from "./conditionsErrors";

// 422 bodies as the campaigns API answered them (POST /api/v1/rules).
const LEVEL = {
  detail: [
    {
      type: "value_error",
      loc: ["body", "conditions"],
      msg: "Value error, budget actions apply to campaigns (scope.level campaign)",
      ctx: { error: "budget actions apply to campaigns (scope.level campaign)" },
    },
  ],
};
const MANY = {
  detail: [
    {
      type: "value_error",
      loc: ["body", "conditions", "filters", 0],
      msg: "Value error, the low end of a range must not exceed the high end",
    },
    {
      type: "decimal_parsing",
      loc: ["body", "conditions", "filters", 1, "value", "decimal"],
      msg: "Input should be a valid decimal",
    },
    {
      type: "list_type",
      loc: ["body", "conditions", "filters", 1, "value", "list[decimal]"],
      msg: "Input should be a valid list",
    },
    {
      type: "value_error",
      loc: ["body", "conditions", "schedule"],
      msg: "Value error, 'Mars/X' is not an IANA time zone (e.g. 'Europe/Paris', 'UTC')",
    },
  ],
};

describe("an API error's field in the builder", () => {
  it.each([
    [["body", "name"], "", "name"],
    [["body", "threshold"], "Decimal input should have no more than 4 decimal places", "rule_type"],
    [["body"], "the threshold of decrease_budget_low_ctr is a CTR fraction", "rule_type"],
    [["body"], "something else", null],
    [
      ["body", "conditions"],
      "budget actions apply to campaigns (scope.level campaign)",
      "action.type",
    ],
    [
      ["body", "conditions"],
      "bid actions apply to ad groups (scope.level ad_group)",
      "action.type",
    ],
    [
      ["body", "conditions"],
      "audience metrics apply to ad groups (scope.level ad_group)",
      "scope.level",
    ],
    [["body", "conditions"], "give campaign_ids or scope.ids, not both", "scope.campaign_ids"],
    [["body", "conditions"], "filters must not be empty (omit it to use the preset's)", "filters"],
    [
      ["body", "conditions", "min_spend"],
      "Input should be greater than or equal to 0",
      "min_spend",
    ],
    [["body", "conditions", "cooldown_hours"], "", "cooldown_hours"],
    [["body", "conditions", "campaign_ids", 0], "", "scope.campaign_ids"],
    [["body", "conditions", "filters", 2, "window"], "", "filters.2.window"],
    [["body", "conditions", "filters", 0], "the low end …", "filters.0.value"],
    [["body", "conditions", "any", 1, "value", "decimal"], "", "any.1.value"],
    [["body", "conditions", "any", 1, "value", "list[decimal]", 1], "", "any.1.high"],
    [["body", "conditions", "filters"], "List should have at most 20 items", "filters"],
    [["body", "conditions", "action"], "change_budget needs a non-zero percent", "action.type"],
    [["body", "conditions", "action", "amount"], "", "action.amount"],
    [["body", "conditions", "action", "max_change_percent"], "", "action.max_change_percent"],
    [["body", "conditions", "scope", "name_contains"], "", "scope.name_contains"],
    [["body", "conditions", "scope", "ids"], "", "scope.campaign_ids"],
    [["body", "conditions", "scope"], "", "scope.level"],
    [["body", "conditions", "schedule", "time"], "String should match pattern", "schedule.time"],
    [["body", "conditions", "schedule"], "'Mars/X' is not an IANA time zone", "schedule.time_zone"],
    [["body", "conditions", "schedule"], "a daily schedule needs a time (HH:MM)", "schedule.time"],
    [
      ["body", "conditions", "schedule"],
      "a custom schedule needs days and/or hours",
      "schedule.days",
    ],
    [["body", "conditions", "schedule"], "anything else", "schedule.frequency"],
    [["body", "conditions", "foo"], "Extra inputs are not permitted", null],
  ] as const)("%j %s → %s", (loc, msg, field) => {
    expect(formFieldOf(loc, msg)).toBe(field);
  });
});

describe("placing an API error", () => {
  it("puts a cross-field refusal under the action", () => {
    const setError = vi.fn();
    placeServerError(new ApiError(422, LEVEL), setError);
    expect(setError.mock.calls).toEqual([
      [
        "action.type",
        { type: "server", message: "budget actions apply to campaigns (scope.level campaign)" },
      ],
    ]);
  });

  it("puts each nested item under its row, once per field", () => {
    const setError = vi.fn();
    placeServerError(new ApiError(422, MANY), setError);
    expect(setError.mock.calls.map(([field, error]) => [field, error.message])).toEqual([
      ["filters.0.value", "the low end of a range must not exceed the high end"],
      ["filters.1.value", "Input should be a valid decimal"],
      ["schedule.time_zone", "'Mars/X' is not an IANA time zone (e.g. 'Europe/Paris', 'UTC')"],
    ]);
  });

  it("puts what has no field, and any other error, at the foot of the form", () => {
    const setError = vi.fn();
    placeServerError(
      new ApiError(422, { detail: [{ loc: ["body"], msg: "Value error, a budget preset acts" }] }),
      setError,
    );
    expect(setError).toHaveBeenCalledWith("root.server", {
      type: "server",
      message: "a budget preset acts",
    });
    setError.mockClear();
    placeServerError(
      new ApiError(404, { detail: "Campaign not found (conditions.campaign_ids)" }),
      setError,
    );
    expect(setError.mock.calls).toEqual([
      ["root.server", { type: "server", message: "Campaign not found (conditions.campaign_ids)" }],
    ]);
  });
});
