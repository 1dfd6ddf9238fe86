import { useQueries, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../lib/errors";
import {
  type DailyPoint,
  type DateRange,
  fetchCampaignDays,
  sumByDay,
  type Totals,
  totalsOf,
} from "../../lib/metrics";

// The overview's daily chart and campaign table add up the campaigns' daily rows (the API has
// no cross-campaign series); the first 200 campaigns are charted.
const CHART_CAMPAIGNS = 200;

export interface CampaignTotals {
  id: string;
  name: string;
  totals: Totals;
}

export function useOverview(range: DateRange, enabled: boolean) {
  return useQuery({
    queryKey: ["metrics", "overview", range],
    enabled,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/metrics/overview", {
          params: { query: { start_date: range.start, end_date: range.end } },
        }),
      ),
  });
}

/**
 * The first CHART_CAMPAIGNS campaigns' daily rows in the range: `points` summed per day,
 * `campaigns` the totals of each one with rows in the range (most spend first), `campaignCount`
 * how many were read and `accountCampaigns` how many the account has.
 */
export function useDailyAcrossCampaigns(range: DateRange, enabled: boolean) {
  const campaigns = useQuery({
    queryKey: ["campaigns", "chart-list"],
    enabled,
    queryFn: () =>
      unwrap(api.GET("/api/v1/campaigns", { params: { query: { limit: CHART_CAMPAIGNS } } })),
  });
  const listed = campaigns.data?.items ?? [];
  const perCampaign = useQueries({
    queries: listed.map(({ id }) => ({
      queryKey: ["metrics", "campaign", id, range],
      enabled,
      queryFn: () => fetchCampaignDays(id, range),
    })),
  });
  const failed = perCampaign.find((q) => q.error)?.error ?? campaigns.error;
  const pending = campaigns.isPending || perCampaign.some((q) => q.isPending);
  const points: DailyPoint[] = pending ? [] : sumByDay(perCampaign.flatMap((q) => q.data ?? []));
  const byCampaign: CampaignTotals[] = pending
    ? []
    : listed
        .map(({ id, name }, i) => ({ id, name, rows: perCampaign[i]?.data ?? [] }))
        .filter(({ rows }) => rows.length > 0)
        .map(({ id, name, rows }) => ({ id, name, totals: totalsOf(sumByDay(rows)) }))
        .sort((a, b) => b.totals.spend - a.totals.spend);
  return {
    points,
    campaigns: byCampaign,
    pending: enabled && pending,
    error: failed,
    campaignCount: listed.length,
    accountCampaigns: campaigns.data?.total ?? 0,
  };
}
