import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { offsetOf, PAGE_SIZE } from "../../lib/pagination";

export type AccountCreate = components["schemas"]["AccountCreate"];
export type AccountUpdate = components["schemas"]["AccountUpdate"];

export function useAccounts(page: number) {
  return useQuery({
    queryKey: ["accounts", page],
    // Read on every visit: a metrics sync or a rule push may have disconnected an account since.
    staleTime: 0,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/accounts", {
          params: { query: { offset: offsetOf(page), limit: PAGE_SIZE } },
        }),
      ),
  });
}

export function useConnectAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AccountCreate) => unwrap(api.POST("/api/v1/accounts", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["accounts"] }),
  });
}

/** Rename, change the time zone, or reconnect with a new token (`PATCH`, changed fields only). */
export function useUpdateAccount(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AccountUpdate) =>
      unwrap(
        api.PATCH("/api/v1/accounts/{account_id}", {
          params: { path: { account_id: id } },
          body,
        }),
      ),
    // Waits for the list to be read again, so the row shows the new state when the dialog closes.
    onSuccess: () => client.invalidateQueries({ queryKey: ["accounts"] }),
  });
}

export function useDisconnectAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/accounts/{account_id}", { params: { path: { account_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["accounts"] }),
  });
}
