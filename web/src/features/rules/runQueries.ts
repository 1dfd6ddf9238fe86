// A rule's run history, one run with the objects it judged, undo and backtest.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";
import { offsetOf, PAGE_SIZE, previousPageOf } from "../../lib/pagination";
import { OUTCOMES, type Outcome, pushInFlight } from "./RunPageFormat";

type BacktestRequest = components["schemas"]["BacktestRequest"];

// Under ["rules"], so executing a rule (which invalidates ["rules"]) refreshes the history too.
export const runKeys = {
  history: (ruleId: string) => ["rules", "runs", ruleId] as const,
  historyPage: (ruleId: string, page: number) => ["rules", "runs", ruleId, page] as const,
  run: (runId: string) => ["rule-runs", runId] as const,
  runPage: (runId: string, outcome: Outcome | null, page: number) =>
    ["rule-runs", runId, outcome ?? "all", page] as const,
  counts: (runId: string) => ["rule-runs", runId, "counts"] as const,
};

/** Every run of a rule, newest first (scheduled, manual, dry runs, undos), a page at a time. */
export function useRuleRuns(ruleId: string, page: number) {
  const queryKey = runKeys.historyPage(ruleId, page);
  return useQuery({
    queryKey,
    // Another rule's runs never stand in while this one's load.
    placeholderData: previousPageOf(queryKey, 3),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/rules/{rule_id}/runs", {
          params: {
            path: { rule_id: ruleId },
            query: { offset: offsetOf(page), limit: PAGE_SIZE },
          },
        }),
      ),
  });
}

/** One run and a page of its objects (acted on first), optionally of one outcome. While a
 * platform push is under way, it is read again every few seconds until it settles. */
export function useRun(runId: string, outcome: Outcome | null, page: number) {
  const queryKey = runKeys.runPage(runId, outcome, page);
  return useQuery({
    queryKey,
    // Another outcome's objects stay (the run's summary with them) while these load; another
    // run's never stand in.
    placeholderData: previousPageOf(queryKey, [2, 3]),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/rule-runs/{run_id}", {
          params: {
            path: { run_id: runId },
            query: { offset: offsetOf(page), limit: PAGE_SIZE, ...(outcome ? { outcome } : {}) },
          },
        }),
      ),
    refetchInterval: (query) =>
      query.state.data && pushInFlight(query.state.data.objects.items) ? 3000 : false,
  });
}

export type OutcomeCounts = Record<Outcome, number>;

/** How many objects of each outcome the run has (the totals of three one-row pages). */
export function useOutcomeCounts(runId: string) {
  return useQuery({
    queryKey: runKeys.counts(runId),
    queryFn: async () => {
      const totals = await Promise.all(
        OUTCOMES.map(({ id }) =>
          unwrap(
            api.GET("/api/v1/rule-runs/{run_id}", {
              params: { path: { run_id: runId }, query: { outcome: id, limit: 1 } },
            }),
          ).then((run) => [id, run.objects.total] as const),
        ),
      );
      return Object.fromEntries(totals) as OutcomeCounts;
    },
  });
}

/** Restores what the run changed, here and on the platform; the run, its rule's history and
 * the objects it touched are read again afterwards (also after a refusal: something moved). */
export function useUndoRun(runId: string) {
  const client = useQueryClient();
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: runKeys.run(runId) }),
      client.invalidateQueries({ queryKey: ["rules"] }),
      client.invalidateQueries({ queryKey: ["campaigns"] }),
      client.invalidateQueries({ queryKey: ["ad-groups"] }),
    ]);
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/rule-runs/{run_id}/undo", { params: { path: { run_id: runId } } })),
    onSettled: refresh,
  });
}

/** Replays the rule over stored daily metrics; nothing changes, so nothing is invalidated. */
export function useBacktest(ruleId: string) {
  return useMutation({
    mutationFn: (body: BacktestRequest) =>
      unwrap(
        api.POST("/api/v1/rules/{rule_id}/backtest", {
          params: { path: { rule_id: ruleId } },
          body,
        }),
      ),
  });
}
