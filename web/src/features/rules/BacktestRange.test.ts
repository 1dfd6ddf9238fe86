import { describe, expect, it } from "vitest";
import {
  backtestPoints,
  backtestSchema,
  daysInRange,
  daysWithActions,
  defaultBacktestRange,
  rangeProblem,
} from "./BacktestRange";

const action = {
  object_type: "campaign" as const,
  campaign_id: "c1",
  ad_group_id: null,
  name: "Spring sale",
  action: "pause" as const,
  old_value: "active",
  new_value: "paused",
  description: "Would pause campaign 'Spring sale'",
  spend: "12.50",
  revenue: "3.00",
};

describe("daysInRange", () => {
  it("counts both ends", () => {
    expect(daysInRange("2026-02-14", "2026-02-14")).toBe(1);
    expect(daysInRange("2026-01-01", "2026-03-31")).toBe(90);
    expect(daysInRange("2026-03-31", "2026-03-30")).toBe(0);
    // Across a DST change in most zones: still whole days (UTC).
    expect(daysInRange("2026-03-01", "2026-04-01")).toBe(32);
  });
  it("refuses what is not a real date", () => {
    expect(daysInRange("2026-02-30", "2026-03-01")).toBeNull();
    expect(daysInRange("14/02/2026", "2026-03-01")).toBeNull();
  });
});

describe("rangeProblem", () => {
  it("takes up to 90 days, end on or after start", () => {
    expect(rangeProblem("2026-01-01", "2026-03-31")).toBeNull();
    expect(rangeProblem("2026-02-14", "2026-02-14")).toBeNull();
  });
  it("refuses 91 days, on the end date", () => {
    expect(rangeProblem("2026-01-01", "2026-04-01")).toEqual({
      field: "end_date",
      message: "A backtest covers at most 90 days; this range has 91.",
    });
  });
  it("refuses an end before the start", () => {
    expect(rangeProblem("2026-02-14", "2026-02-13")).toEqual({
      field: "end_date",
      message: "The end date must be on or after the start date.",
    });
  });
  it("asks for missing or malformed dates on their own field", () => {
    expect(rangeProblem("", "2026-02-13")?.field).toBe("start_date");
    expect(rangeProblem("2026-13-01", "2026-02-13")?.field).toBe("start_date");
    expect(rangeProblem("2026-02-01", "")?.field).toBe("end_date");
  });
});

describe("backtestSchema", () => {
  it("passes a valid range and puts the problem on its field", () => {
    expect(
      backtestSchema.safeParse({ start_date: "2026-01-01", end_date: "2026-01-30" }).success,
    ).toBe(true);
    const refused = backtestSchema.safeParse({ start_date: "2025-10-01", end_date: "2026-01-30" });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(["end_date"]);
    expect(refused.error?.issues[0]?.message).toMatch(/at most 90 days/);
  });
  it("starts on the last 30 days through today, which it accepts", () => {
    const range = defaultBacktestRange(new Date("2026-02-14T22:00:00Z"));
    expect(range).toEqual({ start_date: "2026-01-16", end_date: "2026-02-14" });
    expect(daysInRange(range.start_date, range.end_date)).toBe(30);
    expect(backtestSchema.safeParse(range).success).toBe(true);
  });
});

describe("the result for the chart and the table", () => {
  const days = [
    {
      date: "2026-02-12",
      actions: [],
      objects_evaluated: 2,
      spend_touched: "0.00",
      roas_touched: null,
    },
    {
      date: "2026-02-13",
      actions: [action, { ...action, campaign_id: "c2" }],
      objects_evaluated: 2,
      spend_touched: "25.50",
      roas_touched: 0.24,
    },
  ];
  it("one point per day with its number of actions and spend", () => {
    expect(backtestPoints(days)).toEqual([
      { date: "2026-02-12", actions: 0, spend: 0 },
      { date: "2026-02-13", actions: 2, spend: 25.5 },
    ]);
  });
  it("lists only the days with actions", () => {
    expect(daysWithActions({ days }).map((d) => d.date)).toEqual(["2026-02-13"]);
  });
});
