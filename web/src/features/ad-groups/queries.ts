import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { offsetOf, PAGE_SIZE } from "../../lib/pagination";

type AdGroupCreate = components["schemas"]["AdGroupCreate"];
type AdGroupUpdate = components["schemas"]["AdGroupUpdate"];
type CreativeCreate = components["schemas"]["CreativeCreate"];
type CreativeUpdate = components["schemas"]["CreativeUpdate"];
type GenerateCopyRequest = components["schemas"]["GenerateCopyRequest"];

export function useAdGroup(id: string, enabled = true) {
  return useQuery({
    queryKey: ["ad-groups", "one", id],
    enabled,
    queryFn: () =>
      unwrap(api.GET("/api/v1/ad-groups/{ad_group_id}", { params: { path: { ad_group_id: id } } })),
  });
}

/** The parent campaign: its name and platform (the copy limits depend on it). */
export function useParentCampaign(id: string | undefined) {
  return useQuery({
    queryKey: ["campaigns", "one", id],
    enabled: Boolean(id),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/campaigns/{campaign_id}", {
          params: { path: { campaign_id: id ?? "" } },
        }),
      ),
  });
}

export function useCreateAdGroup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AdGroupCreate) => unwrap(api.POST("/api/v1/ad-groups", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["ad-groups"] }),
  });
}

export function useUpdateAdGroup(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AdGroupUpdate) =>
      unwrap(
        api.PATCH("/api/v1/ad-groups/{ad_group_id}", {
          params: { path: { ad_group_id: id } },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["ad-groups"] }),
  });
}

export function useCreatives(adGroupId: string, page: number) {
  return useQuery({
    queryKey: ["creatives", adGroupId, page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/creatives", {
          params: {
            query: { ad_group_id: adGroupId, offset: offsetOf(page), limit: PAGE_SIZE },
          },
        }),
      ),
  });
}

export function useCreateCreative() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreativeCreate) => unwrap(api.POST("/api/v1/creatives", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["creatives"] }),
  });
}

export function useCreative(id: string) {
  return useQuery({
    queryKey: ["creatives", "one", id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/creatives/{creative_id}", { params: { path: { creative_id: id } } })),
  });
}

export function useUpdateCreative(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreativeUpdate) =>
      unwrap(
        api.PATCH("/api/v1/creatives/{creative_id}", {
          params: { path: { creative_id: id } },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["creatives"] }),
  });
}

export function useGenerateCopy() {
  return useMutation({
    mutationFn: (body: GenerateCopyRequest) =>
      unwrap(api.POST("/api/v1/creatives/generate-copy", { body })),
  });
}
