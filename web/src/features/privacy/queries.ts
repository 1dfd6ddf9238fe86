// Privacy (audience-sync family): erasures and their receipts, subject access, suppression lifts.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { PAGE_SIZE } from "../../lib/pagination";
import type { PersonKey } from "./identifier";

export type Receipt = components["schemas"]["ErasureRead"];
export type Person = components["schemas"]["PersonRead"];

export function isUnderWay(status: Receipt["status"]): boolean {
  return status === "pending" || status === "running";
}

/** The receipts, newest first; polled while any on the page is still under way. */
export function useErasures(page: number) {
  return useQuery({
    queryKey: ["erasures", page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/erasures", { params: { query: { page, page_size: PAGE_SIZE } } }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.erasures.some((e) => isUnderWay(e.status)) ? 2000 : false,
  });
}

/** One receipt, polled every second until the erasure is completed or failed. */
export function useErasure(id: string) {
  return useQuery({
    queryKey: ["erasure", id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/erasures/{erasure_id}", { params: { path: { erasure_id: id } } }),
      ),
    refetchInterval: (query) =>
      query.state.data && isUnderWay(query.state.data.status) ? 1000 : false,
  });
}

export function useErase() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonKey & { reason?: string | null }) =>
      unwrap(api.POST("/api/v1/cdp/erasures", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["erasures"] }),
  });
}

/** Everything held about a person, asked for when the user looks them up. */
export function useLookUpPerson() {
  return useMutation({
    mutationFn: (key: PersonKey) =>
      unwrap(api.GET("/api/v1/cdp/people", { params: { query: key } })),
  });
}

export function useLiftSuppression() {
  return useMutation({
    mutationFn: (hash: string) =>
      unwrap(api.DELETE("/api/v1/cdp/suppressions/{hash}", { params: { path: { hash } } })),
  });
}
