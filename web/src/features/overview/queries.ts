import { useQueries, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../lib/errors";
import { type DailyPoint, type DateRange, fetchCampaignDays, sumByDay } from "../../lib/metrics";

// The overview's daily chart adds up the campaigns' daily rows (the API has no
// cross-campaign series); the first 200 campaigns are charted.
const CHART_CAMPAIGNS = 200;

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

export function useDailyAcrossCampaigns(range: DateRange, enabled: boolean) {
  const campaigns = useQuery({
    queryKey: ["campaigns", "chart-list"],
    enabled,
    queryFn: () =>
      unwrap(api.GET("/api/v1/campaigns", { params: { query: { limit: CHART_CAMPAIGNS } } })),
  });
  const ids = campaigns.data?.items.map((c) => c.id) ?? [];
  const perCampaign = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["metrics", "campaign", id, range],
      enabled,
      queryFn: () => fetchCampaignDays(id, range),
    })),
  });
  const failed = perCampaign.find((q) => q.error)?.error ?? campaigns.error;
  const pending = campaigns.isPending || perCampaign.some((q) => q.isPending);
  const points: DailyPoint[] = pending ? [] : sumByDay(perCampaign.flatMap((q) => q.data ?? []));
  return { points, pending: enabled && pending, error: failed, campaignCount: ids.length };
}
