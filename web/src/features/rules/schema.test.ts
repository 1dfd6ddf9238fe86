import { describe, expect, it } from "vitest";
import { emptyRule } from "./conditions";
import { firstRow } from "./conditionsExamples";
import { levelConflicts, limitOf, MESSAGES, type RuleFormValues, ruleFormSchema } from "./schema";

type Patch = (v: RuleFormValues) => RuleFormValues;

function valid(): RuleFormValues {
  return { ...emptyRule(), name: "Stop losers" };
}

const row = (patch: Partial<RuleFormValues["filters"][number]>) => ({
  ...firstRow(valid()),
  ...patch,
});
const withRow =
  (patch: Partial<RuleFormValues["filters"][number]>): Patch =>
  (v) => ({ ...v, filters: [row(patch)] });
const withAction =
  (patch: Partial<RuleFormValues["action"]>): Patch =>
  (v) => ({ ...v, action: { ...v.action, ...patch } });
const withScope =
  (patch: Partial<RuleFormValues["scope"]>): Patch =>
  (v) => ({ ...v, scope: { ...v.scope, ...patch } });
const withSchedule =
  (patch: Partial<RuleFormValues["schedule"]>): Patch =>
  (v) => ({ ...v, schedule: { ...v.schedule, ...patch } });

const budget = { type: "change_budget" as const, percent: "20" };
const bid = { type: "set_bid" as const, amount: "1" };

// Each refusal, the field it lands on and its message.
const REFUSALS: [string, Patch, string, string][] = [
  ["no name", (v) => ({ ...v, name: "  " }), "name", MESSAGES.name],
  ["a long name", (v) => ({ ...v, name: "x".repeat(256) }), "name", MESSAGES.long],
  ["a value that is not a number", withRow({ value: "abc" }), "filters.0.value", MESSAGES.number],
  ["an empty value", withRow({ value: "" }), "filters.0.value", MESSAGES.number],
  ["a negative value", withRow({ value: "-1" }), "filters.0.value", MESSAGES.number],
  ["7 decimals", withRow({ value: "0.1234567" }), "filters.0.value", MESSAGES.decimals],
  [
    "a CTR with 5 decimals (in %)",
    withRow({ metric: "ctr", value: "0.12345" }),
    "filters.0.value",
    MESSAGES.ctrDecimals,
  ],
  [
    "a CTR above 100 %",
    withRow({ metric: "ctr", value: "101" }),
    "filters.0.value",
    MESSAGES.overHundred,
  ],
  ["13 digits", withRow({ value: "1234567890123" }), "filters.0.value", MESSAGES.tooLarge],
  [
    "a range without its upper end",
    withRow({ operator: "between", value: "1", high: "" }),
    "filters.0.high",
    MESSAGES.number,
  ],
  [
    "a range the wrong way round",
    withRow({ operator: "not_between", value: "5", high: "2" }),
    "filters.0.high",
    MESSAGES.order,
  ],
  [
    "an unknown time range",
    withRow({ window: "last_91_days" }),
    "filters.0.window",
    MESSAGES.window,
  ],
  [
    "an audience metric on campaigns",
    withRow({ metric: "audience_failed", value: "1" }),
    "filters.0.metric",
    MESSAGES.audience,
  ],
  ["no condition", (v) => ({ ...v, filters: [], any: [] }), "filters", MESSAGES.noCondition],
  [
    "21 conditions",
    (v) => ({ ...v, any: Array.from({ length: 21 }, () => row({ value: "1" })) }),
    "any",
    MESSAGES.tooMany,
  ],
  [
    "a budget action on ad groups",
    (v) => withAction(budget)(withScope({ level: "ad_group" })(v)),
    "action.type",
    MESSAGES.budgetLevel,
  ],
  ["a bid action on campaigns", withAction(bid), "action.type", MESSAGES.bidLevel],
  ["no percent", withAction({ ...budget, percent: "" }), "action.percent", MESSAGES.percent],
  ["a 0 % change", withAction({ ...budget, percent: "0" }), "action.percent", MESSAGES.percentZero],
  [
    "lowering by 100 %",
    withAction({ ...budget, direction: "down", percent: "100" }),
    "action.percent",
    MESSAGES.decrease,
  ],
  [
    "raising by 1001 %",
    withAction({ ...budget, percent: "1001" }),
    "action.percent",
    MESSAGES.increase,
  ],
  [
    "a budget with 3 decimals",
    withAction({ type: "set_budget", amount: "1.234" }),
    "action.amount",
    MESSAGES.amount,
  ],
  [
    "a budget of 0",
    withAction({ type: "set_budget", amount: "0" }),
    "action.amount",
    MESSAGES.amountZero,
  ],
  ["a cap of 0", withAction({ ...budget, max: "0.00" }), "action.max", MESSAGES.amountZero],
  [
    "a minimum above the maximum",
    withAction({ ...budget, min: "50", max: "10" }),
    "action.max",
    MESSAGES.minMax,
  ],
  [
    "a new bid below the minimum",
    (v) => withAction({ ...bid, amount: "0.75", min: "1.00" })(withScope({ level: "ad_group" })(v)),
    "action.amount",
    MESSAGES.outsideCaps,
  ],
  [
    "a new budget above the maximum",
    withAction({ type: "set_budget", amount: "30", max: "20" }),
    "action.amount",
    MESSAGES.outsideCaps,
  ],
  [
    "a per-run bound of 0",
    withAction({ ...budget, max_change_percent: "0" }),
    "action.max_change_percent",
    MESSAGES.maxChange,
  ],
  [
    "campaigns picked next to specific ad groups (campaign_ids with scope.ids)",
    withScope({ level: "ad_group", campaign_ids: ["c1"], ad_group_ids: ["g1"] }),
    "scope.campaign_ids",
    MESSAGES.campaignsAndAdGroups,
  ],
  [
    "ad groups kept on a campaign rule",
    withScope({ ad_group_ids: ["g1"] }),
    "scope.level",
    MESSAGES.adGroupsAtCampaigns,
  ],
  [
    "501 campaigns",
    withScope({ campaign_ids: Array.from({ length: 501 }, (_, i) => `c${i}`) }),
    "scope.campaign_ids",
    MESSAGES.tooManyCampaigns,
  ],
  [
    "501 ad groups",
    withScope({ level: "ad_group", ad_group_ids: Array.from({ length: 501 }, (_, i) => `g${i}`) }),
    "scope.ad_group_ids",
    MESSAGES.tooManyAdGroups,
  ],
  [
    "a long name filter",
    withScope({ name_contains: "x".repeat(256) }),
    "scope.name_contains",
    MESSAGES.long,
  ],
  ["a minimum spend of -1", (v) => ({ ...v, min_spend: "-1" }), "min_spend", MESSAGES.amount],
  [
    "1.5 impressions",
    (v) => ({ ...v, min_impressions: "1.5" }),
    "min_impressions",
    MESSAGES.wholeNumber,
  ],
  ["91 days", (v) => ({ ...v, lookback_days: "91" }), "lookback_days", MESSAGES.lookback],
  ["0 days", (v) => ({ ...v, lookback_days: "0" }), "lookback_days", MESSAGES.lookback],
  ["721 hours", (v) => ({ ...v, cooldown_hours: "721" }), "cooldown_hours", MESSAGES.cooldown],
  [
    "a daily schedule without a time",
    withSchedule({ frequency: "daily", time: "" }),
    "schedule.time",
    MESSAGES.time,
  ],
  [
    "a custom schedule with neither days nor hours",
    withSchedule({ frequency: "custom" }),
    "schedule.days",
    MESSAGES.custom,
  ],
];

function issuesOf(values: RuleFormValues) {
  const result = ruleFormSchema.safeParse(values);
  return (result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]);
}

describe("the rule form refuses", () => {
  it("nothing in a valid rule", () => {
    expect(issuesOf(valid())).toEqual([]);
  });

  it.each(REFUSALS)("%s", (_, patch, field, message) => {
    expect(issuesOf(patch(valid()))).toEqual([[field, message]]);
  });

  it("says every message it has", () => {
    const said = new Set(REFUSALS.map(([, , , message]) => message));
    expect(Object.values(MESSAGES).filter((m) => !said.has(m))).toEqual([]);
  });

  it("reports everything at once, not a field at a time", () => {
    const values = { ...withRow({ value: "x" })(valid()), name: "", lookback_days: "0" };
    expect(issuesOf(values).map(([field]) => field)).toEqual([
      "name",
      "filters.0.value",
      "lookback_days",
    ]);
  });

  it("takes what the API takes", () => {
    const ok: Patch[] = [
      withRow({ metric: "ctr", value: "0.1234" }),
      withRow({ metric: "conversions", operator: "<=", value: "0" }),
      withRow({ operator: "between", value: "2", high: "2" }),
      withRow({ metric: "age_days", operator: ">", value: "7", window: "last_7_days" }),
      (v) =>
        withAction({ type: "change_bid", percent: "15.5", min: "0.01" })(
          withScope({ level: "ad_group" })(v),
        ),
      withAction({ ...budget, direction: "down", percent: "99", max_change_percent: "1000" }),
      withAction({ type: "set_budget", amount: "1000000.00", min: "1", max: "1000000" }),
      (v) => ({ ...v, filters: [], any: [row({ value: "1" })] }),
      (v) => ({ ...v, min_spend: "0", min_impressions: "0", cooldown_hours: "0" }),
      withScope({ level: "ad_group", campaign_ids: ["c1", "c2"] }), // their ad groups
      withScope({ level: "ad_group", ad_group_ids: ["g1"] }),
      withScope({
        level: "ad_group",
        ad_group_ids: Array.from({ length: 500 }, (_, i) => `g${i}`),
      }),
      withScope({ level: "ad_group", limit: "ad_groups" }), // none picked yet: every ad group
      withSchedule({ frequency: "custom", hours: ["9"] }),
      withSchedule({ frequency: "daily", time: "23:59", time_zone: "Not/Checked" }),
    ];
    for (const patch of ok) expect(issuesOf(patch(valid()))).toEqual([]);
  });
});

describe("level conflicts (shown live)", () => {
  const paths = (values: RuleFormValues) => levelConflicts(values).map((i) => i.path.join("."));

  it("names each field the level rules out", () => {
    const values = withAction(budget)(
      withScope({ level: "ad_group", campaign_ids: ["c1"] })(
        withRow({ metric: "audience_size", value: "100" })(valid()),
      ),
    );
    expect(paths(values)).toEqual(["action.type"]);
    const back = withScope({ level: "campaign", ad_group_ids: ["g1"] })(values);
    expect(paths(back)).toEqual(["filters.0.metric", "scope.level"]);
  });

  it("takes picked campaigns at both levels, not next to specific ad groups", () => {
    const picked = withScope({ campaign_ids: ["c1"] })(valid());
    expect(paths(picked)).toEqual([]);
    expect(paths(withScope({ level: "ad_group" })(picked))).toEqual([]);
    const both = withScope({ level: "ad_group", ad_group_ids: ["g1"] })(picked);
    expect(levelConflicts(both)).toEqual([
      { path: ["scope", "campaign_ids"], message: MESSAGES.campaignsAndAdGroups },
    ]);
    // back at campaign level the ad groups are what is refused (under Level), once
    expect(paths(withScope({ level: "campaign" })(both))).toEqual(["scope.level"]);
  });
});

describe("which ad groups (the choice at ad-group level)", () => {
  const scope = (patch: Partial<RuleFormValues["scope"]>) =>
    withScope({ level: "ad_group", ...patch })(valid()).scope;

  it("is what is picked, whatever was chosen last", () => {
    expect(limitOf(scope({ ad_group_ids: ["g1"], limit: "none" }))).toBe("ad_groups");
    expect(limitOf(scope({ campaign_ids: ["c1"], limit: "ad_groups" }))).toBe("campaigns");
  });

  it("is the choice while nothing is picked", () => {
    expect(limitOf(scope({}))).toBe("none");
    expect(limitOf(scope({ limit: "campaigns" }))).toBe("campaigns");
    expect(limitOf(scope({ limit: "ad_groups" }))).toBe("ad_groups");
  });

  it("is none of the three when both are picked (a stored rule the API refuses to save)", () => {
    expect(limitOf(scope({ campaign_ids: ["c1"], ad_group_ids: ["g1"] }))).toBeNull();
  });
});
