import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { offsetOf, PAGE_SIZE } from "../../lib/pagination";

export type AccountCreate = components["schemas"]["AccountCreate"];

export function useAccounts(page: number) {
  return useQuery({
    queryKey: ["accounts", page],
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

export function useDisconnectAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/accounts/{account_id}", { params: { path: { account_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["accounts"] }),
  });
}
