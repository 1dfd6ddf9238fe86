// Segment exports (audience-sync family): start one, follow it, download from its signed link.
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";

export type ExportCreate = components["schemas"]["ExportCreate"];

/** The segments to choose from (the first 100, newest first). */
export function useSegmentChoices() {
  return useQuery({
    queryKey: ["segments", "choices"],
    queryFn: () =>
      unwrap(api.GET("/api/v1/cdp/segments", { params: { query: { page: 1, page_size: 100 } } })),
  });
}

export function useStartExport() {
  return useMutation({
    mutationFn: (body: ExportCreate) =>
      unwrap(api.POST("/api/v1/cdp/audience-sync/audiences/export", { body })),
  });
}

/** An export, polled every second while it is processing. */
export function useExport(id: string | null) {
  return useQuery({
    queryKey: ["export", id],
    enabled: id !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/audience-sync/exports/{export_id}", {
          params: { path: { export_id: id ?? "" } },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.status === "processing" ? 1000 : false),
  });
}
