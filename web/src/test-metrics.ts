/** Unit tests' daily metric row of a campaign, as `GET /metrics/campaign/{id}` gives it (the
 * API's per-day ratios left null: the pages compute what they show from the sums). */
export interface DailyRowFixture {
  date?: string;
  spend: string;
  revenue: string;
  impressions?: number;
  clicks?: number;
  conversions?: number;
}

export function dailyRow({
  date = "2026-03-01",
  spend,
  revenue,
  impressions = 1000,
  clicks = 3,
  conversions = 0,
}: DailyRowFixture) {
  return {
    date,
    impressions,
    clicks,
    conversions,
    spend,
    revenue,
    roas: null,
    ctr: null,
    cpa: null,
  };
}
