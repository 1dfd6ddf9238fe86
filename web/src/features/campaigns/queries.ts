import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { ApiError, unwrap } from "../../lib/errors";
import { type DateRange, fetchCampaignDays, fetchCampaignTotals } from "../../lib/metrics";
import { nameContains, offsetOf, PAGE_SIZE, previousPageOf } from "../../lib/pagination";

type CampaignCreate = components["schemas"]["CampaignCreate"];
type CampaignUpdate = components["schemas"]["CampaignUpdate"];

/** A page of the user's campaigns; with `search`, only those whose name contains it (any case). */
export function useCampaigns(page: number, search = "") {
  const queryKey = ["campaigns", "page", page, search];
  return useQuery({
    queryKey,
    placeholderData: previousPageOf(queryKey, 2),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/campaigns", {
          params: {
            query: {
              offset: offsetOf(page),
              limit: PAGE_SIZE,
              ...nameContains(search),
            },
          },
        }),
      ),
  });
}

/** The listed campaigns' totals over the range (one request for a page of `useCampaigns`); only
 * campaigns with metrics in the range come back. Asked only when the page lists some and `enabled`
 * (false for an invalid range). */
export function useListedCampaignsMetrics(
  ids: readonly string[],
  range: DateRange,
  enabled: boolean,
) {
  return useQuery({
    queryKey: ["metrics", "campaigns", "of", ids, range],
    enabled: enabled && ids.length > 0,
    queryFn: () => fetchCampaignTotals(range, { ids, limit: PAGE_SIZE }),
    select: (page) => new Map(page.items.map((row) => [row.campaign_id, row])),
  });
}

export function useCampaign(id: string) {
  return useQuery({
    queryKey: ["campaigns", "one", id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } })),
  });
}

/** The ad accounts a campaign can belong to (connected ones, first 100). */
export function useAccountChoices() {
  return useQuery({
    queryKey: ["accounts", "choices"],
    queryFn: () => unwrap(api.GET("/api/v1/accounts", { params: { query: { limit: 100 } } })),
  });
}

/** A page of a campaign's ad groups; with `search`, only those whose name contains it. */
export function useAdGroups(campaignId: string, page: number, search = "") {
  const queryKey = ["ad-groups", campaignId, page, search];
  return useQuery({
    queryKey,
    placeholderData: previousPageOf(queryKey, 2),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/ad-groups", {
          params: {
            query: {
              campaign_id: campaignId,
              offset: offsetOf(page),
              limit: PAGE_SIZE,
              ...nameContains(search),
            },
          },
        }),
      ),
  });
}

/** A page of the campaign's daily rows in the range; `enabled` false (an invalid range) skips it. */
export function useCampaignMetrics(
  id: string,
  range: DateRange,
  page: number,
  size: number,
  enabled: boolean,
) {
  return useQuery({
    queryKey: ["metrics", "campaign", id, range, page, size],
    enabled,
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/metrics/campaign/{campaign_id}", {
          params: {
            path: { campaign_id: id },
            query: {
              start_date: range.start,
              end_date: range.end,
              offset: offsetOf(page, size),
              limit: size,
            },
          },
        }),
      ),
  });
}

/** Every day of the range, for the chart and the totals; `enabled` as above. */
export function useCampaignSeries(id: string, range: DateRange, enabled: boolean) {
  return useQuery({
    queryKey: ["metrics", "campaign", id, range, "all"],
    enabled,
    queryFn: () => fetchCampaignDays(id, range),
  });
}

export function useRefreshMetrics(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (range: DateRange) =>
      unwrap(
        api.POST("/api/v1/metrics/campaign/{campaign_id}/refresh", {
          params: {
            path: { campaign_id: id },
            query: { start_date: range.start, end_date: range.end },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["metrics"] }),
    // A refused token disconnects the account (409): the Ad accounts page must not show it active.
    onError: (error) => {
      if (accountDisconnected(error)) client.invalidateQueries({ queryKey: ["accounts"] });
    },
  });
}

/** The refresh's 409 when the platform refused the account's token or it can't be read. */
export function accountDisconnected(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && /disconnected/i.test(error.message);
}

export function useCreateCampaign() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignCreate) => unwrap(api.POST("/api/v1/campaigns", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["campaigns"] }),
  });
}

export function useUpdateCampaign(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignUpdate) =>
      unwrap(
        api.PATCH("/api/v1/campaigns/{campaign_id}", {
          params: { path: { campaign_id: id } },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["campaigns"] }),
  });
}

export function useDeleteCampaign(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE("/api/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } }),
      ),
    onSuccess: () => {
      client.removeQueries({ queryKey: ["campaigns", "one", id] });
      return client.invalidateQueries({ queryKey: ["campaigns"] });
    },
  });
}
