import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../lib/errors";
import { type DateRange, fetchCampaignTotals, sumByDay } from "../../lib/metrics";
import { collectPages, offsetOf, PAGE_SIZE, previousPageOf } from "../../lib/pagination";

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

/** Every day of the range with metrics, all campaigns summed by the API (all pages), as the
 * chart's points: the money strings turned into numbers kept to cents. */
export function useDailyAcrossCampaigns(range: DateRange, enabled: boolean) {
  return useQuery({
    queryKey: ["metrics", "daily", range],
    enabled,
    queryFn: async () =>
      // One row per day already: sumByDay only converts each row to a point.
      sumByDay(
        await collectPages((offset, limit) =>
          unwrap(
            api.GET("/api/v1/metrics/daily", {
              params: { query: { start_date: range.start, end_date: range.end, offset, limit } },
            }),
          ),
        ),
      ),
  });
}

/** Each campaign's totals over the range, most spend first, a page at a time. */
export function useCampaignsInRange(range: DateRange, page: number, enabled: boolean) {
  const queryKey = ["metrics", "campaigns", range, page] as const;
  return useQuery({
    queryKey,
    enabled,
    placeholderData: previousPageOf(queryKey, 3),
    queryFn: () => fetchCampaignTotals(range, { offset: offsetOf(page), limit: PAGE_SIZE }),
  });
}

/** Whether the account has any campaign (the list's `total`, one item asked for), to tell an
 * empty account from an empty range; `enabled` once the range turns out empty. */
export function useHasCampaigns(enabled: boolean) {
  return useQuery({
    queryKey: ["campaigns", "any"],
    enabled,
    queryFn: () => unwrap(api.GET("/api/v1/campaigns", { params: { query: { limit: 1 } } })),
    select: (page) => page.total > 0,
  });
}
