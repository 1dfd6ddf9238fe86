import { describe, expect, it } from "vitest";
import type { components } from "../../api/schema";
import {
  canOfferUndo,
  changeText,
  firstMetric,
  isOutcome,
  metricValue,
  platformWord,
  pushInFlight,
  triggerWord,
  undoneRunId,
  verdictParts,
  windowPhrase,
  windowText,
} from "./RunPageFormat";

type Verdict = components["schemas"]["FilterVerdict"];

function verdict(over: Partial<Verdict>): Verdict {
  return {
    metric: "roas",
    window: "last_7_days",
    operator: "<",
    value: "0.8",
    seen: "0.620000",
    held: true,
    group: "all",
    ...over,
  };
}

describe("verdictParts", () => {
  it("shows the value seen, the condition, the verdict and the window", () => {
    expect(verdictParts(verdict({}))).toEqual({
      text: "ROAS 0.62 < 0.8",
      held: true,
      window: "last 7 days",
      any: false,
    });
    expect(verdictParts(verdict({ seen: "1.254000", held: false }))).toEqual({
      text: "ROAS 1.25 < 0.8",
      held: false,
      window: "last 7 days",
      any: false,
    });
  });

  it("writes ≥ and ≤, money in dollars and CTR as a percentage", () => {
    expect(
      verdictParts(
        verdict({ metric: "spend", operator: ">=", value: "50", seen: "62.5", window: "today" }),
      ),
    ).toEqual({ text: "Spend $62.50 ≥ $50.00", held: true, window: "today", any: false });
    expect(
      verdictParts(
        verdict({ metric: "ctr", operator: "<=", value: "0.005", seen: "0.012345", held: false }),
      ),
    ).toEqual({ text: "CTR 1.23% ≤ 0.5%", held: false, window: "last 7 days", any: false });
  });

  it("says n/a when the metric has no value (ROAS without spend)", () => {
    expect(verdictParts(verdict({ seen: null, held: false, value: "1000" }))).toEqual({
      text: "ROAS n/a < 1,000",
      held: false,
      window: "last 7 days",
      any: false,
    });
  });

  it("writes ranges, marks `any` filters and drops the window of static metrics", () => {
    expect(
      verdictParts(
        verdict({
          metric: "cpa",
          operator: "not_between",
          value: ["0", "40"],
          seen: "45",
          window: "lifetime",
          group: "any",
        }),
      ),
    ).toEqual({
      text: "CPA $45.00 not between $0.00 and $40.00",
      held: true,
      window: "lifetime",
      any: true,
    });
    expect(
      verdictParts(verdict({ metric: "age_days", operator: ">", value: "7", seen: "12" })),
    ).toEqual({ text: "Age (days) 12 > 7", held: true, window: null, any: false });
    expect(
      verdictParts(
        verdict({ metric: "audience_failed", operator: ">=", value: "1", seen: "2", window: "" }),
      ),
    ).toEqual({ text: "Failed audiences 2 ≥ 1", held: true, window: null, any: false });
  });

  it("keeps a threshold's decimals (up to 4) but rounds what was seen to 2", () => {
    expect(metricValue("roas", "0.8250", { threshold: true })).toBe("0.825");
    expect(metricValue("roas", "0.825678")).toBe("0.83");
    expect(metricValue("impressions", "12345")).toBe("12,345");
    expect(metricValue("something_new", "1.5")).toBe("1.5");
  });
});

describe("windowPhrase", () => {
  it("reads last_N_days, keeps named windows, none for static metrics", () => {
    expect(windowPhrase("roas", "last_14_days")).toBe("last 14 days");
    expect(windowPhrase("roas", "last_1_days")).toBe("last day");
    expect(windowPhrase("spend", "yesterday")).toBe("yesterday");
    expect(windowPhrase("daily_budget", "last_7_days")).toBeNull();
  });
});

describe("triggerWord", () => {
  it("names each trigger in words, a dry run as such", () => {
    expect(triggerWord({ trigger: "manual", dry_run: false })).toBe("manual");
    expect(triggerWord({ trigger: "schedule", dry_run: false })).toBe("scheduled");
    expect(triggerWord({ trigger: "undo", dry_run: false })).toBe("undo");
    expect(triggerWord({ trigger: "event", dry_run: false })).toBe("audience event");
    expect(triggerWord({ trigger: "manual", dry_run: true })).toBe("dry run");
  });
});

describe("canOfferUndo", () => {
  const real = {
    trigger: "manual" as const,
    dry_run: false,
    undone_at: null,
    campaigns_affected: 1,
  };
  it("offers undo on a real run that changed something and is not undone", () => {
    expect(canOfferUndo(real)).toBe(true);
    expect(canOfferUndo({ ...real, trigger: "schedule" })).toBe(true);
  });
  it("not on a dry run, an undo, an undone run or a run that changed nothing", () => {
    expect(canOfferUndo({ ...real, dry_run: true })).toBe(false);
    expect(canOfferUndo({ ...real, trigger: "undo" })).toBe(false);
    expect(canOfferUndo({ ...real, undone_at: "2026-02-14T12:00:00Z" })).toBe(false);
    expect(canOfferUndo({ ...real, campaigns_affected: 0 })).toBe(false);
  });
});

describe("changeText", () => {
  it("shows statuses and money from → to", () => {
    expect(
      changeText({ action: "pause", outcome: "applied", old_value: "active", new_value: "paused" }),
    ).toBe("active → paused");
    expect(
      changeText({
        action: "increase_budget",
        outcome: "applied",
        old_value: "100.00",
        new_value: "120.00",
      }),
    ).toBe("$100.00 → $120.00");
    expect(
      changeText({
        action: "decrease_bid",
        outcome: "applied",
        old_value: "1.50",
        new_value: "1.20",
      }),
    ).toBe("$1.50 → $1.20");
  });
  it("a dash when nothing changed, a notification says so", () => {
    expect(
      changeText({ action: "pause", outcome: "no_match", old_value: null, new_value: null }),
    ).toBe("—");
    expect(
      changeText({ action: "notify", outcome: "applied", old_value: null, new_value: null }),
    ).toBe("notification only");
    expect(
      changeText({ action: "notify", outcome: "no_match", old_value: null, new_value: null }),
    ).toBe("—");
  });
});

describe("platformWord", () => {
  it("words each push status; a real local change says it stayed in AdScale", () => {
    const applied = { outcome: "applied" as const, action: "pause" as const };
    expect(platformWord({ ...applied, platform_status: "succeeded" }, false)).toBe("succeeded");
    expect(platformWord({ ...applied, platform_status: "failed" }, false)).toBe("failed");
    expect(platformWord({ ...applied, platform_status: "pushing" }, false)).toBe("sending");
    expect(platformWord({ ...applied, platform_status: "not_applicable" }, false)).toBe(
      "AdScale only",
    );
    expect(platformWord({ ...applied, platform_status: "not_applicable" }, true)).toBe("—");
    expect(
      platformWord(
        { outcome: "no_match", action: "pause", platform_status: "not_applicable" },
        false,
      ),
    ).toBe("—");
  });
  it("knows when a push is still under way", () => {
    expect(pushInFlight([{ platform_status: "succeeded" }, { platform_status: "pending" }])).toBe(
      true,
    );
    expect(
      pushInFlight([{ platform_status: "failed" }, { platform_status: "not_applicable" }]),
    ).toBe(false);
  });
});

describe("small words", () => {
  it("windowText, firstMetric, isOutcome", () => {
    expect(windowText({ window_start: "2026-02-08", window_end: "2026-02-14" })).toBe(
      "2026-02-08 to 2026-02-14",
    );
    expect(windowText({ window_start: "2026-02-14", window_end: "2026-02-14" })).toBe("2026-02-14");
    expect(firstMetric({ evaluation: [verdict({})], metric_value: 0.6234 })).toBe("ROAS 0.62");
    expect(firstMetric({ evaluation: [], metric_value: null })).toBe("—");
    // ROAS had no value (no spend): the value kept is the next filter's.
    expect(
      firstMetric({
        evaluation: [
          verdict({ seen: null, held: false }),
          verdict({ metric: "spend", operator: ">", value: "0", seen: "0", held: false }),
        ],
        metric_value: 0,
      }),
    ).toBe("Spend $0.00");
    expect(isOutcome("no_match")).toBe(true);
    expect(isOutcome("nope")).toBe(false);
    expect(isOutcome(null)).toBe(false);
  });
});

describe("undoneRunId", () => {
  const id = "0b9e6f8e-4a43-4c1e-9d7a-3f2b1c0d9e8f";
  it("reads the run an undo put back from its objects' reasons", () => {
    expect(undoneRunId({ trigger: "undo" }, [{ reason: `undo of run ${id}` }])).toBe(id);
  });
  it("nothing for other runs or other reasons", () => {
    expect(undoneRunId({ trigger: "manual" }, [{ reason: `undo of run ${id}` }])).toBeNull();
    expect(undoneRunId({ trigger: "undo" }, [{ reason: "ROAS 0.5 < 1" }])).toBeNull();
    expect(undoneRunId({ trigger: "undo" }, [])).toBeNull();
  });
});
