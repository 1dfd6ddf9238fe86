// The backtest's form (a date range the API accepts: end on or after start, at most 90 days
// counting both ends) and the arithmetic of its result for the chart and the table.
import { z } from "zod";
import type { components } from "../../api/schema";
import { daysAgo, isoDay } from "../../lib/format";

type BacktestResult = components["schemas"]["BacktestResult"];
type BacktestDay = components["schemas"]["BacktestDay"];

/** The API's longest backtest, both ends counted. */
export const MAX_BACKTEST_DAYS = 90;
/** The range the form starts with: the last 30 days through today. */
export const DEFAULT_BACKTEST_DAYS = 30;

const DAY_MS = 86_400_000;

/** Milliseconds of a `YYYY-MM-DD` day at 00:00 UTC, or null when it is not a real date. */
function dayMs(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(ms) || isoDay(new Date(ms)) !== value ? null : ms;
}

/** Days from `start` to `end`, both counted (1 for the same day). */
export function daysInRange(start: string, end: string): number | null {
  const from = dayMs(start);
  const to = dayMs(end);
  return from === null || to === null ? null : Math.round((to - from) / DAY_MS) + 1;
}

export interface RangeProblem {
  field: "start_date" | "end_date";
  message: string;
}

/** What is wrong with a range, on the field to fix, or null when the API will take it. */
export function rangeProblem(start: string, end: string): RangeProblem | null {
  if (!start) return { field: "start_date", message: "Choose a start date." };
  if (dayMs(start) === null) return { field: "start_date", message: "Enter a date: YYYY-MM-DD." };
  if (!end) return { field: "end_date", message: "Choose an end date." };
  if (dayMs(end) === null) return { field: "end_date", message: "Enter a date: YYYY-MM-DD." };
  const days = daysInRange(start, end) ?? 0;
  if (days < 1) {
    return { field: "end_date", message: "The end date must be on or after the start date." };
  }
  if (days > MAX_BACKTEST_DAYS) {
    return {
      field: "end_date",
      message: `A backtest covers at most ${MAX_BACKTEST_DAYS} days; this range has ${days}.`,
    };
  }
  return null;
}

export const backtestSchema = z
  .object({ start_date: z.string().trim(), end_date: z.string().trim() })
  .superRefine((v, ctx) => {
    const problem = rangeProblem(v.start_date, v.end_date);
    if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });

export type BacktestValues = z.infer<typeof backtestSchema>;

export function defaultBacktestRange(today: Date = new Date()): BacktestValues {
  return {
    start_date: daysAgo(DEFAULT_BACKTEST_DAYS - 1, today),
    end_date: daysAgo(0, today),
  };
}

export interface BacktestPoint {
  date: string;
  actions: number;
  spend: number;
}

/** One chart point per day of the result: how many actions, and the spend they touched. */
export function backtestPoints(days: readonly BacktestDay[]): BacktestPoint[] {
  return days.map((d) => ({
    date: d.date,
    actions: d.actions.length,
    spend: Math.round(Number(d.spend_touched) * 100) / 100,
  }));
}

/** The days on which the rule would have acted, in date order. */
export function daysWithActions(result: Pick<BacktestResult, "days">): BacktestDay[] {
  return result.days.filter((d) => d.actions.length > 0);
}
