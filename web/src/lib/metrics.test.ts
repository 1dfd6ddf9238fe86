import { describe, expect, it } from "vitest";
import { sumByDay, validRange } from "./metrics";

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

describe("validRange", () => {
  it("accepts an ordered range and a single day", () => {
    expect(validRange({ start: "2026-01-01", end: "2026-01-31" })).toBeNull();
    expect(validRange({ start: "2026-01-01", end: "2026-01-01" })).toBeNull();
  });

  it("refuses a reversed or incomplete range", () => {
    expect(validRange({ start: "2026-02-01", end: "2026-01-01" })).toMatch(/before/);
    expect(validRange({ start: "", end: "2026-01-01" })).toMatch(/Choose/);
  });
});
