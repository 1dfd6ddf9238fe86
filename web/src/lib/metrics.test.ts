import { describe, expect, it } from "vitest";
import {
  type DailyPoint,
  isDay,
  lastDays,
  rangeFromSearch,
  rangeSearch,
  sumByDay,
  totalsOf,
  validRange,
} from "./metrics";

const row = (date: string, spend: string, revenue: string, clicks = 1) => ({
  date,
  impressions: 10,
  clicks,
  conversions: 1,
  spend,
  revenue,
});

describe("sumByDay", () => {
  it("adds campaigns' rows per day, ascending, money to the cent", () => {
    const points = sumByDay([
      row("2026-03-02", "0.10", "1.00"),
      row("2026-03-01", "10.05", "20.00", 3),
      row("2026-03-02", "0.20", "2.50"),
    ]);
    expect(points).toEqual([
      { date: "2026-03-01", spend: 10.05, revenue: 20, clicks: 3, impressions: 10, conversions: 1 },
      { date: "2026-03-02", spend: 0.3, revenue: 3.5, clicks: 2, impressions: 20, conversions: 2 },
    ]);
  });

  it("is empty for no rows", () => {
    expect(sumByDay([])).toEqual([]);
  });
});

const point = (spend: number, revenue: number, impressions = 1000, clicks = 20, conversions = 4) =>
  ({ date: "2026-03-01", spend, revenue, impressions, clicks, conversions }) satisfies DailyPoint;

describe("totalsOf", () => {
  it("adds the days up and divides the sums", () => {
    const totals = totalsOf([point(10, 35, 1000, 20, 2), point(30, 45, 3000, 40, 2)]);
    expect(totals).toEqual({
      spend: 40,
      revenue: 80,
      impressions: 4000,
      clicks: 60,
      conversions: 4,
      roas: 2,
      ctr: 0.015,
      cpa: 10,
    });
  });

  it("keeps money to the cent", () => {
    const totals = totalsOf([point(0.1, 0.1), point(0.2, 0.2), point(0.01, 0)]);
    expect(totals.spend).toBe(0.31); // not 0.31000000000000005
    expect(totals.revenue).toBe(0.3);
  });

  it("has no ratio whose denominator is 0", () => {
    const totals = totalsOf([point(0, 12.5, 0, 0, 0)]);
    expect(totals).toMatchObject({ revenue: 12.5, roas: null, ctr: null, cpa: null });
    expect(totalsOf([point(5, 0, 100, 0, 0)])).toMatchObject({ roas: 0, ctr: 0, cpa: null });
  });

  it("is zeros and no ratios for no days", () => {
    expect(totalsOf([])).toEqual({
      spend: 0,
      revenue: 0,
      impressions: 0,
      clicks: 0,
      conversions: 0,
      roas: null,
      ctr: null,
      cpa: null,
    });
  });
});

describe("lastDays", () => {
  it("ends today (UTC) and counts today in", () => {
    const today = new Date("2026-03-01T23:30:00Z");
    expect(lastDays(7, today)).toEqual({ start: "2026-02-23", end: "2026-03-01" });
    expect(lastDays(1, today)).toEqual({ start: "2026-03-01", end: "2026-03-01" });
  });
});

describe("validRange", () => {
  it("accepts an ordered range and a single day", () => {
    expect(validRange({ start: "2026-01-01", end: "2026-01-31" })).toBeNull();
    expect(validRange({ start: "2026-01-01", end: "2026-01-01" })).toBeNull();
  });

  it("refuses a reversed or incomplete range", () => {
    expect(validRange({ start: "2026-02-01", end: "2026-01-01" })).toMatch(/before/);
    expect(validRange({ start: "", end: "2026-01-01" })).toMatch(/Choose/);
  });

  it("takes a date that is no day for a missing one", () => {
    expect(validRange({ start: "soon", end: "2026-01-01" })).toMatch(/Choose/);
    expect(validRange({ start: "2026-01-01", end: "2026-02-30" })).toMatch(/Choose/);
  });
});

describe("isDay", () => {
  it("accepts a YYYY-MM-DD that exists, only", () => {
    expect(isDay("2024-02-29")).toBe(true);
    for (const value of ["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "", "2026-01-01x"]) {
      expect(isDay(value)).toBe(false);
    }
  });
});

describe("rangeFromSearch", () => {
  const month = { start: "2026-03-02", end: "2026-03-31" };

  it("is the fallback when the URL names neither date", () => {
    expect(rangeFromSearch(null, null, month)).toBe(month);
  });

  it("is the URL's dates otherwise, a missing or malformed one left empty", () => {
    expect(rangeFromSearch("2026-03-01", "2026-03-15", month)).toEqual({
      start: "2026-03-01",
      end: "2026-03-15",
    });
    expect(rangeFromSearch("2026-03-15", "2026-03-01", month)).toEqual({
      start: "2026-03-15",
      end: "2026-03-01",
    });
    expect(rangeFromSearch("yesterday", null, month)).toEqual({ start: "", end: "" });
    expect(rangeFromSearch(null, "2026-03-31", month)).toEqual({ start: "", end: "2026-03-31" });
  });
});

describe("rangeSearch", () => {
  it("carries a valid range the URL names", () => {
    expect(rangeSearch("2026-03-01", "2026-03-15")).toBe("?from=2026-03-01&to=2026-03-15");
    expect(rangeSearch("2026-03-01", "2026-03-01")).toBe("?from=2026-03-01&to=2026-03-01");
  });

  it("carries nothing when the URL names no range, or one that is refused", () => {
    expect(rangeSearch(null, null)).toBe("");
    expect(rangeSearch("2026-03-01", null)).toBe("");
    expect(rangeSearch("2026-03-15", "2026-03-01")).toBe("");
    expect(rangeSearch("yesterday", "2026-03-01")).toBe("");
    expect(rangeSearch("2026-03-01", "2026-03-15&page=2")).toBe("");
  });
});
