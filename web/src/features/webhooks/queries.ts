// Outbound webhooks (audience-sync family): subscriptions, enable/disable, secret rotation,
// test sends, the delivery log.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { PAGE_SIZE, previousPageOf } from "../../lib/pagination";

export type WebhookEvent = components["schemas"]["WebhookCreate"]["events"][number];
export const WEBHOOK_EVENTS: { id: WebhookEvent; label: string }[] = [
  { id: "audience_sync.completed", label: "Audience sync completed" },
  { id: "audience_sync.failed", label: "Audience sync failed" },
  { id: "rule.executed", label: "Rule executed" },
];

export function useWebhooks(page: number) {
  return useQuery({
    queryKey: ["webhooks", page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/audience-sync/webhooks", {
          params: { query: { page, page_size: PAGE_SIZE } },
        }),
      ),
  });
}

export function useWebhook(id: string) {
  return useQuery({
    queryKey: ["webhook", id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/audience-sync/webhooks/{webhook_id}", {
          params: { path: { webhook_id: id } },
        }),
      ),
  });
}

export function useCreateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["WebhookCreate"]) =>
      unwrap(api.POST("/api/v1/cdp/audience-sync/webhooks", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["webhooks"] }),
  });
}

export function useDeleteWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/cdp/audience-sync/webhooks/{webhook_id}", {
          params: { path: { webhook_id: id } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["webhooks"] }),
  });
}

/** Enable or disable (`PATCH enabled`); the page and the list read the new state after. */
export function useSetWebhookEnabled(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (enabled: boolean) =>
      unwrap(
        api.PATCH("/api/v1/cdp/audience-sync/webhooks/{webhook_id}", {
          params: { path: { webhook_id: id } },
          body: { enabled },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ["webhook", id] }),
        client.invalidateQueries({ queryKey: ["webhooks"] }),
      ]),
  });
}

/** A new signing secret (answered once); the previous one keeps signing for a while. */
export function useRotateWebhookSecret(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/cdp/audience-sync/webhooks/{webhook_id}/rotate-secret", {
          params: { path: { webhook_id: id } },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ["webhook", id] }),
        client.invalidateQueries({ queryKey: ["webhooks"] }),
      ]),
  });
}

export function useTestWebhook(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (event: WebhookEvent) =>
      unwrap(
        api.POST("/api/v1/cdp/audience-sync/webhooks/{webhook_id}/test", {
          params: { path: { webhook_id: id } },
          body: { event },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["webhook-deliveries", id] }),
  });
}

export function useDeliveries(id: string, page: number) {
  const queryKey = ["webhook-deliveries", id, page];
  return useQuery({
    queryKey,
    // Another endpoint's deliveries never stand in while this one's load.
    placeholderData: previousPageOf(queryKey, 2),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/cdp/audience-sync/webhooks/{webhook_id}/deliveries", {
          params: { path: { webhook_id: id }, query: { page, page_size: PAGE_SIZE } },
        }),
      ),
  });
}
