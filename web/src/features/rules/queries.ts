import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { MAX_LIMIT, nameContains, offsetOf, PAGE_SIZE, previousPageOf } from "../../lib/pagination";
import { runKeys } from "./runQueries";

type RuleCreate = components["schemas"]["RuleCreate"];
type RuleUpdate = components["schemas"]["RuleUpdate"];

export function useRules(page: number) {
  return useQuery({
    queryKey: ["rules", "page", page],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/rules", {
          params: { query: { offset: offsetOf(page), limit: PAGE_SIZE } },
        }),
      ),
  });
}

export function useRule(id: string) {
  return useQuery({
    queryKey: ["rules", "one", id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/rules/{rule_id}", { params: { path: { rule_id: id } } })),
  });
}

/** The rule with the filters, action and scope that run filled in (`?expand=true`). */
export function useExpandedRule(id: string, enabled = true) {
  return useQuery({
    queryKey: ["rules", "expanded", id],
    enabled,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/rules/{rule_id}", {
          params: { path: { rule_id: id }, query: { expand: true } },
        }),
      ),
  });
}

/**
 * The user's ad groups across every campaign, a page at a time (the builder's ad-group picker);
 * with `search`, only those whose name contains it (any case).
 */
export function useAllAdGroups(page: number, search = "") {
  const queryKey = ["ad-groups", "all", page, search];
  return useQuery({
    queryKey,
    placeholderData: previousPageOf(queryKey, 2),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/ad-groups", {
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

/** Campaign names by id, from one page of the API's largest size (to name ad groups' campaigns). */
export function useCampaignNames() {
  return useQuery({
    queryKey: ["campaigns", "names"],
    queryFn: async () => {
      const page = await unwrap(
        api.GET("/api/v1/campaigns", { params: { query: { offset: 0, limit: MAX_LIMIT } } }),
      );
      return new Map(page.items.map((c) => [c.id, c.name]));
    },
  });
}

export function useCreateRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RuleCreate) => unwrap(api.POST("/api/v1/rules", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["rules"] }),
  });
}

export function useUpdateRule(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RuleUpdate) =>
      unwrap(api.PATCH("/api/v1/rules/{rule_id}", { params: { path: { rule_id: id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["rules"] }),
  });
}

/** `dryRun`: what the rule would do now, changing nothing; otherwise it acts. */
export function useExecuteRule(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (dryRun: boolean) =>
      unwrap(
        api.POST("/api/v1/rules/{rule_id}/execute", {
          params: { path: { rule_id: id }, query: { dry_run: dryRun } },
        }),
      ),
    onSuccess: (result) => {
      if (!result.dry_run) {
        client.invalidateQueries({ queryKey: ["rules"] });
        client.invalidateQueries({ queryKey: ["campaigns"] });
      } else {
        // A dry run changes nothing but is recorded: only the run history is read again.
        client.invalidateQueries({ queryKey: runKeys.history(id) });
      }
    },
  });
}
