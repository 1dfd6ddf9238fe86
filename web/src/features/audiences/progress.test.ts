import { describe, expect, it } from "vitest";
import { coverageRows, jobProgress, matchRateSeries } from "./progress";

const job = (over: Partial<Parameters<typeof jobProgress>[0]>) => ({
  status: "running" as const,
  profiles_sent: 0,
  estimated_changes: { to_add: 80, to_remove: 20, exact: true },
  segment_size: 100,
  ...over,
});

describe("jobProgress", () => {
  it("is the share of the estimated changes sent, capped below 100 while running", () => {
    expect(jobProgress(job({ profiles_sent: 50 }))).toBe(50);
    expect(jobProgress(job({ profiles_sent: 100 }))).toBe(99);
    expect(jobProgress(job({ status: "completed", profiles_sent: 3 }))).toBe(100);
    expect(jobProgress(job({ status: "pending" }))).toBe(0);
  });

  it("falls back to the segment size, and is unknown without either", () => {
    expect(jobProgress(job({ estimated_changes: null, profiles_sent: 25 }))).toBe(25);
    expect(
      jobProgress(job({ estimated_changes: { to_add: 0, to_remove: 0, exact: true } })),
    ).toBeNull();
  });
});

describe("matchRateSeries", () => {
  it("keeps finished jobs with a rate, oldest first", () => {
    const entry = (completed_at: string | null, match_rate: number | null) => ({
      job_id: completed_at ?? "x",
      completed_at,
      match_rate,
      duration_ms: 1,
      operation: "update" as const,
      profiles_added: 0,
      profiles_failed: 0,
      profiles_removed: 0,
      profiles_sent: 0,
      profiles_skipped_consent: 0,
      started_at: null,
      status: "completed" as const,
      triggered_by: "manual" as const,
    });
    const series = matchRateSeries([
      entry("2026-12-02T10:00:00Z", 61.5),
      entry(null, null),
      entry("2026-12-01T09:30:00Z", 58),
      entry("2026-12-03T08:00:00Z", null),
    ]);
    expect(series).toEqual([
      { date: "2026-12-01 09:30", matchRate: 58 },
      { date: "2026-12-02 10:00", matchRate: 61.5 },
    ]);
  });
});

describe("coverageRows", () => {
  it("gives each identifier's count and share with one decimal", () => {
    const rows = coverageRows({ email: 2, phone: 1, name_zip: 0, madid: 3 }, 3);
    expect(rows.map((r) => [r.label, r.count, r.percent])).toEqual([
      ["Email", 2, 66.7],
      ["Phone", 1, 33.3],
      ["Name + ZIP", 0, 0],
      ["Mobile ad id", 3, 100],
    ]);
    expect(coverageRows({ email: 0, phone: 0, name_zip: 0, madid: 0 }, 0)[0]?.percent).toBe(0);
  });
});
