import { api } from "../api/client";
import { unwrap } from "./errors";
import { daysAgo, isoDay } from "./format";
import { collectPages } from "./pagination";

// Client-side metric arithmetic for charts and totals: daily rows of several campaigns summed per
// day, and a range's days summed into totals with their ratios.

export interface DailyRow {
  date: string;
  impressions: number;
  clicks: number;
  conversions: number;
  spend: string;
  revenue: string;
}

export interface DailyPoint {
  date: string;
  spend: number;
  revenue: number;
  clicks: number;
  impressions: number;
  conversions: number;
}

/** One point per day (ascending), every campaign's rows added up; money kept to cents. */
export function sumByDay(rows: readonly DailyRow[]): DailyPoint[] {
  const days = new Map<string, DailyPoint>();
  for (const row of rows) {
    const point = days.get(row.date) ?? {
      date: row.date,
      spend: 0,
      revenue: 0,
      clicks: 0,
      impressions: 0,
      conversions: 0,
    };
    point.spend = cents(point.spend + Number(row.spend));
    point.revenue = cents(point.revenue + Number(row.revenue));
    point.clicks += row.clicks;
    point.impressions += row.impressions;
    point.conversions += row.conversions;
    days.set(row.date, point);
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

export interface Totals {
  spend: number;
  revenue: number;
  impressions: number;
  clicks: number;
  conversions: number;
  /** Revenue per dollar spent; null without spend. */
  roas: number | null;
  /** Clicks per impression (a fraction); null without impressions. */
  ctr: number | null;
  /** Spend per conversion; null without conversions. */
  cpa: number | null;
}

/** The points' sums (money kept to cents) and their ratios, null where they would divide by 0. */
export function totalsOf(points: readonly DailyPoint[]): Totals {
  let spend = 0;
  let revenue = 0;
  let impressions = 0;
  let clicks = 0;
  let conversions = 0;
  for (const point of points) {
    spend = cents(spend + point.spend);
    revenue = cents(revenue + point.revenue);
    impressions += point.impressions;
    clicks += point.clicks;
    conversions += point.conversions;
  }
  return {
    spend,
    revenue,
    impressions,
    clicks,
    conversions,
    roas: spend > 0 ? revenue / spend : null,
    ctr: impressions > 0 ? clicks / impressions : null,
    cpa: conversions > 0 ? spend / conversions : null,
  };
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

export interface DateRange {
  start: string;
  end: string;
}

/** The last `days` days, today (UTC) included. */
export function lastDays(days: number, today: Date = new Date()): DateRange {
  return { start: daysAgo(days - 1, today), end: daysAgo(0, today) };
}

/** Whether `value` is a day as the API and date inputs write it (`YYYY-MM-DD`, one that exists). */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && isoDay(date) === value;
}

/** Why the range can't be asked for, or null. A date that is not a day counts as missing (a date
 * input shows it empty). */
export function validRange(range: DateRange): string | null {
  if (!isDay(range.start) || !isDay(range.end)) return "Choose a start and an end date.";
  if (range.start > range.end) return "The start date must be on or before the end date.";
  return null;
}

/** The range a page's URL names with `from` and `to` (`fallback` when it names neither); a value
 * that is not a day becomes empty, so `validRange` refuses it and the date input shows it empty. */
export function rangeFromSearch(
  from: string | null,
  to: string | null,
  fallback: DateRange,
): DateRange {
  if (from === null && to === null) return fallback;
  const day = (value: string | null) => (value !== null && isDay(value) ? value : "");
  return { start: day(from), end: day(to) };
}

/** The search (`?from=…&to=…`) that carries the range a URL names with `from` and `to` to another
 * page showing one; "" when they name none or no valid one, so that page shows its default. */
export function rangeSearch(from: string | null, to: string | null): string {
  const range = rangeFromSearch(from, to, { start: "", end: "" });
  if (validRange(range)) return "";
  return `?${new URLSearchParams({ from: range.start, to: range.end })}`;
}

/** Every daily row of one campaign in the range, all pages (for charts). */
export function fetchCampaignDays(id: string, range: DateRange) {
  return collectPages((offset, limit) =>
    unwrap(
      api.GET("/api/v1/metrics/campaign/{campaign_id}", {
        params: {
          path: { campaign_id: id },
          query: { start_date: range.start, end_date: range.end, offset, limit },
        },
      }),
    ),
  );
}

/** A page of `GET /metrics/campaigns`: each campaign's totals over the range, most spend first;
 * `ids` keeps those campaigns only. */
export function fetchCampaignTotals(
  range: DateRange,
  { offset = 0, limit, ids }: { offset?: number; limit: number; ids?: readonly string[] },
) {
  return unwrap(
    api.GET("/api/v1/metrics/campaigns", {
      params: {
        query: {
          start_date: range.start,
          end_date: range.end,
          offset,
          limit,
          ...(ids ? { campaign_id: [...ids] } : {}),
        },
      },
    }),
  );
}
