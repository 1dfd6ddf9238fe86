import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../lib/errors";
import { offsetOf, PAGE_SIZE } from "../../lib/pagination";

export function useApiKeys(page: number) {
  return useQuery({
    queryKey: ["api-keys", page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/api-keys", {
          params: { query: { offset: offsetOf(page), limit: PAGE_SIZE } },
        }),
      ),
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST("/api/v1/api-keys", { body: { name } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/api-keys/{api_key_id}", { params: { path: { api_key_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys"] }),
  });
}
