import { describe, expect, it } from "vitest";
import { consentPair, counted, daysAgo, fraction, money, ratio, scheduled } from "./format";
import { collectPages, offsetOf, pageCount, pageFromSearch } from "./pagination";

describe("format", () => {
  it("formats the API's decimal strings as dollars", () => {
    expect(money("1234.5")).toBe("$1,234.50");
    expect(money(null)).toBe("—");
    expect(money("not a number")).toBe("—");
  });

  it("shows ratios and fractions, with a dash for the API's nulls", () => {
    expect(ratio(2.345)).toBe("2.35×");
    expect(fraction(0.0123)).toBe("1.23%");
    expect(ratio(null)).toBe("—");
    expect(fraction(null)).toBe("—");
  });

  it("shows every fraction with two decimals, so a column of them lines up", () => {
    expect(fraction(0.03)).toBe("3.00%");
    expect(fraction(0.023)).toBe("2.30%");
    expect(fraction(0.028571)).toBe("2.86%");
    expect(fraction(0)).toBe("0.00%");
  });

  it("says a campaign's dates as a sentence, whichever are set", () => {
    expect(scheduled("2026-03-01", "2026-03-31")).toBe("2026-03-01 → 2026-03-31");
    expect(scheduled("2026-03-01", null)).toBe("From 2026-03-01, no end date");
    expect(scheduled(null, "2026-03-31")).toBe("Until 2026-03-31");
    expect(scheduled(undefined, null)).toBe("No start or end date");
  });

  it("says a profile's consent as user data / personalization", () => {
    expect(consentPair({ ad_user_data: "granted", ad_personalization: "unspecified" })).toBe(
      "granted / unspecified",
    );
  });

  it("counts days back in UTC", () => {
    expect(daysAgo(1, new Date("2026-03-01T00:30:00Z"))).toBe("2026-02-28");
  });
});

describe("pagination", () => {
  it("reads a page number from the URL defensively", () => {
    expect(pageFromSearch("3")).toBe(3);
    expect(pageFromSearch("0")).toBe(1);
    expect(pageFromSearch("abc")).toBe(1);
    expect(pageFromSearch(null)).toBe(1);
  });

  it("converts pages to offsets and totals to page counts", () => {
    expect(offsetOf(3, 20)).toBe(40);
    expect(pageCount(41, 20)).toBe(3);
    expect(pageCount(0, 20)).toBe(1);
  });
});

describe("collectPages", () => {
  it("walks the pages until the total is reached", async () => {
    const all = Array.from({ length: 450 }, (_, i) => i);
    const asked: Array<[number, number]> = [];
    const items = await collectPages(async (offset, limit) => {
      asked.push([offset, limit]);
      return { items: all.slice(offset, offset + limit), total: all.length };
    });
    expect(items).toEqual(all);
    expect(asked).toEqual([
      [0, 200],
      [200, 200],
      [400, 200],
    ]);
  });

  it("stops at the cap", async () => {
    const items = await collectPages(
      async (offset, limit) => ({
        items: Array.from({ length: limit }, (_, i) => offset + i),
        total: 10_000,
      }),
      300,
    );
    expect(items).toHaveLength(300);
  });
});

describe("counted", () => {
  it("says one thing or several", () => {
    expect(counted(1, "profile")).toBe("1 profile");
    expect(counted(0, "profile")).toBe("0 profiles");
    expect(counted(2500, "entry", "entries")).toBe("2,500 entries");
  });
});
