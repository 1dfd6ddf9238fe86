// The audience-sync API family (`/api/v1/cdp/...`, errors in the `{"error": ...}` envelope,
// `page`/`page_size` pagination): segments, platform connections, audiences and their jobs.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { nameContains, PAGE_SIZE, previousPageOf } from "../../lib/pagination";
import { type UploadProgress, uploadWithProgress } from "../../lib/upload";

export type Platform = components["schemas"]["PlatformRead"]["platform"];
export type SyncJob = components["schemas"]["SyncJobRead"];
export type ImportResult = components["schemas"]["ImportResult"];
export type AudienceCreate = components["schemas"]["AudienceCreate"];
export type Profile = components["schemas"]["ProfileRead"];

const ACTIVE = new Set(["pending", "running"]);

/** Whether a job status may still change (the page keeps polling). */
export function isActive(status: string | null | undefined): boolean {
  return status != null && ACTIVE.has(status);
}

/** A page of the user's segments; with `search`, only those whose name contains it (any case). */
export function useSegments(page: number, search = "") {
  const queryKey = ["segments", page, search];
  return useQuery({
    queryKey,
    placeholderData: previousPageOf(queryKey, 1),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/segments", {
          params: {
            query: { page, page_size: PAGE_SIZE, ...nameContains(search) },
          },
        }),
      ),
  });
}

export function useSegment(id: string) {
  return useQuery({
    queryKey: ["segment", id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/segments/{segment_id}", { params: { path: { segment_id: id } } }),
      ),
  });
}

/**
 * A page of a segment's people, most recently updated first; with `search`, only the people it
 * finds (an external id's start, exact case; an email, any case; a phone, any formatting).
 */
export function useSegmentProfiles(segmentId: string, page: number, search = "") {
  const queryKey = ["segment-profiles", segmentId, page, search];
  return useQuery({
    queryKey,
    placeholderData: previousPageOf(queryKey, 2),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/segments/{segment_id}/profiles", {
          params: {
            path: { segment_id: segmentId },
            query: { page, page_size: PAGE_SIZE, ...(search ? { q: search } : {}) },
          },
        }),
      ),
  });
}

export function useCreateSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["SegmentCreate"]) =>
      unwrap(api.POST("/api/v1/cdp/segments", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["segments"] }),
  });
}

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/cdp/segments/{segment_id}", { params: { path: { segment_id: id } } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["segments"] }),
  });
}

export type ImportPreview = components["schemas"]["ImportPreview"];

interface ImportRequest {
  file: Blob;
  /** The `mapping` parameter (a JSON object), or undefined for the headers' own decisions. */
  mapping: string | undefined;
}

function importUrl(segmentId: string, dryRun: boolean, mapping: string | undefined): string {
  const query = new URLSearchParams();
  if (dryRun) query.set("dry_run", "true");
  if (mapping) query.set("mapping", mapping);
  const path = `/api/v1/cdp/segments/${encodeURIComponent(segmentId)}/profiles/import`;
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

function sendImport<T>(
  segmentId: string,
  dryRun: boolean,
  { file, mapping }: ImportRequest,
  onProgress: (progress: UploadProgress) => void,
): Promise<T> {
  return uploadWithProgress<T>(importUrl(segmentId, dryRun, mapping), file, "text/csv", onProgress);
}

/** The dry run: what the import would do with this file and mapping, writing nothing. */
export function usePreviewCsv(segmentId: string, onProgress: (progress: UploadProgress) => void) {
  return useMutation({
    mutationFn: (request: ImportRequest) =>
      sendImport<ImportPreview>(segmentId, true, request, onProgress),
  });
}

export function useImportCsv(segmentId: string, onProgress: (progress: UploadProgress) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: ImportRequest) =>
      sendImport<ImportResult>(segmentId, false, request, onProgress),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["segment", segmentId] });
      client.invalidateQueries({ queryKey: ["segment-profiles", segmentId] });
      client.invalidateQueries({ queryKey: ["segments"] });
    },
  });
}

export function usePlatforms() {
  return useQuery({
    queryKey: ["cdp-platforms"],
    queryFn: () => unwrap(api.GET("/api/v1/cdp/audience-sync/platforms")),
  });
}

/** Where the platform's consent page sends the user back: this app's callback page. */
export function callbackUrl(platform: Platform, origin: string = window.location.origin): string {
  return `${origin}/oauth/${platform}/callback`;
}

export function useConnectPlatform() {
  return useMutation({
    mutationFn: (platform: Platform) =>
      unwrap(
        api.POST("/api/v1/cdp/audience-sync/platforms/{platform}/connect", {
          params: { path: { platform } },
          body: { redirect_uri: callbackUrl(platform) },
        }),
      ),
  });
}

export function useFinishConnect() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: { platform: Platform; code: string; state: string }) =>
      unwrap(
        api.POST("/api/v1/cdp/audience-sync/platforms/{platform}/callback", {
          params: { path: { platform: args.platform } },
          body: { code: args.code, state: args.state },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["cdp-platforms"] }),
  });
}

export function useDisconnectPlatform() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (platform: Platform) =>
      unwrap(
        api.DELETE("/api/v1/cdp/audience-sync/platforms/{platform}", {
          params: { path: { platform } },
        }),
      ),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["cdp-platforms"] });
      client.invalidateQueries({ queryKey: ["audiences"] });
    },
  });
}

interface AudienceFilters {
  /** Only the audiences of this segment. */
  segmentId?: string;
  /** Only the audiences whose platform name or segment's name contains it (any case). */
  search?: string;
}

/** A page of the user's audiences, narrowed by the filters given (all of them at once). */
export function useAudiences(page: number, { segmentId, search = "" }: AudienceFilters = {}) {
  const queryKey = ["audiences", page, segmentId ?? null, search];
  return useQuery({
    queryKey,
    placeholderData: previousPageOf(queryKey, 1),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/audience-sync/audiences", {
          params: {
            query: {
              page,
              page_size: PAGE_SIZE,
              segment_id: segmentId ?? null,
              ...nameContains(search),
            },
          },
        }),
      ),
  });
}

export function useAudience(id: string) {
  return useQuery({
    queryKey: ["audience", id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/audience-sync/audiences/{audience_id}", {
          params: { path: { audience_id: id } },
        }),
      ),
  });
}

export function useCreateAudience() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AudienceCreate) =>
      unwrap(api.POST("/api/v1/cdp/audience-sync/audiences", { body })),
    onSuccess: (_, body) => {
      client.invalidateQueries({ queryKey: ["audiences"] });
      client.invalidateQueries({ queryKey: ["segment", body.segment_id] });
    },
  });
}

export function useTriggerSync(audienceId: string) {
  return useMutation({
    mutationFn: (operation: "update" | "replace") =>
      unwrap(
        api.POST("/api/v1/cdp/audience-sync/audiences/{audience_id}/sync", {
          params: { path: { audience_id: audienceId } },
          body: { operation },
        }),
      ),
  });
}

export function useDeleteAudience() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: { id: string; onPlatform: boolean }) =>
      unwrap(
        api.DELETE("/api/v1/cdp/audience-sync/audiences/{audience_id}", {
          params: {
            path: { audience_id: args.id },
            query: { delete_from_platform: args.onPlatform },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["audiences"] }),
  });
}

export function useHistory(audienceId: string) {
  return useQuery({
    queryKey: ["audience-history", audienceId],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/audience-sync/audiences/{audience_id}/history", {
          params: { path: { audience_id: audienceId }, query: { days: 30, limit: 50 } },
        }),
      ),
  });
}

/** A sync job, polled every second while it is pending or running. */
export function useSyncJob(jobId: string | null, onSettled?: (job: SyncJob) => void) {
  return useQuery({
    queryKey: ["sync-job", jobId],
    enabled: jobId !== null,
    queryFn: async () => {
      const job = await unwrap(
        api.GET("/api/v1/cdp/audience-sync/sync-jobs/{job_id}", {
          params: { path: { job_id: jobId ?? "" } },
        }),
      );
      if (!isActive(job.status)) onSettled?.(job);
      return job;
    },
    refetchInterval: (query) => (isActive(query.state.data?.status) ? 1000 : false),
  });
}
