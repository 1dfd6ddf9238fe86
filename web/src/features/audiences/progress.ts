// What the audience pages compute from the API's answers: a job's progress, the history's
// match-rate series, and a segment's identifier coverage in percent.
import type { components } from "../../api/schema";

type Job = Pick<
  components["schemas"]["SyncJobRead"],
  "status" | "profiles_sent" | "estimated_changes" | "segment_size"
>;
type HistoryEntry = components["schemas"]["HistoryEntry"];

/** A job's progress in percent, or `null` while its size is unknown (indeterminate bar). */
export function jobProgress(job: Job): number | null {
  if (job.status === "completed") return 100;
  if (job.status === "pending") return 0;
  const estimate = job.estimated_changes;
  const planned = estimate ? estimate.to_add + estimate.to_remove : (job.segment_size ?? 0);
  if (planned <= 0) return job.status === "running" ? null : 0;
  // A running job never shows 100 %: the read-back of sizes comes after the last batch.
  const done = Math.round((job.profiles_sent / planned) * 100);
  return job.status === "running" ? Math.min(99, done) : Math.min(100, done);
}

export interface MatchRatePoint {
  date: string;
  matchRate: number;
}

/** Finished jobs with a match rate, oldest first, for the history chart. */
export function matchRateSeries(history: HistoryEntry[]): MatchRatePoint[] {
  return history
    .filter((h) => h.match_rate !== null && h.completed_at !== null)
    .map((h) => ({ at: h.completed_at as string, matchRate: h.match_rate as number }))
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((p) => ({ date: p.at.slice(0, 16).replace("T", " "), matchRate: p.matchRate }));
}

export const COVERAGE_LABELS = {
  email: "Email",
  phone: "Phone",
  name_zip: "Name + ZIP",
  madid: "Mobile ad id",
} as const;

export interface CoverageRow {
  key: keyof typeof COVERAGE_LABELS;
  label: string;
  count: number;
  percent: number;
}

/** Profiles with each identifier, in count and share of the segment. */
export function coverageRows(
  coverage: components["schemas"]["IdentifierCoverage"],
  profiles: number,
): CoverageRow[] {
  return (Object.keys(COVERAGE_LABELS) as (keyof typeof COVERAGE_LABELS)[]).map((key) => ({
    key,
    label: COVERAGE_LABELS[key],
    count: coverage[key],
    percent: profiles > 0 ? Math.round((coverage[key] / profiles) * 1000) / 10 : 0,
  }));
}
