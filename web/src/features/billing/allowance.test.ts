import { describe, expect, it } from "vitest";
import { allowanceView, isUpgrade } from "./allowance";

describe("allowanceView", () => {
  it("shows used of limit, its share, and whether it is full", () => {
    expect(allowanceView(1, 2)).toEqual({ text: "1 of 2", percent: 50, full: false });
    expect(allowanceView(2, 2)).toEqual({ text: "2 of 2", percent: 100, full: true });
    expect(allowanceView(3, 2).percent).toBe(100);
  });

  it("has no bar for an unlimited plan", () => {
    expect(allowanceView(40, null)).toEqual({
      text: "40 of unlimited",
      percent: null,
      full: false,
    });
  });
});

describe("isUpgrade", () => {
  it("orders free, pro, enterprise", () => {
    expect(isUpgrade("free", "pro")).toBe(true);
    expect(isUpgrade("pro", "enterprise")).toBe(true);
    expect(isUpgrade("pro", "pro")).toBe(false);
    expect(isUpgrade("enterprise", "free")).toBe(false);
  });
});
