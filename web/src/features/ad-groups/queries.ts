import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { offsetOf, PAGE_SIZE } from "../../lib/pagination";

type AdGroupCreate = components["schemas"]["AdGroupCreate"];
type CreativeCreate = components["schemas"]["CreativeCreate"];
type GenerateCopyRequest = components["schemas"]["GenerateCopyRequest"];

export function useAdGroup(id: string) {
  return useQuery({
    queryKey: ["ad-groups", "one", id],
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

export function useGenerateCopy() {
  return useMutation({
    mutationFn: (body: GenerateCopyRequest) =>
      unwrap(api.POST("/api/v1/creatives/generate-copy", { body })),
  });
}
