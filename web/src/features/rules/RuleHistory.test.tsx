import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { RuleHistory } from "./RuleHistory";

vi.mock("../../api/client", () => ({ api: { GET: vi.fn() } }));

type Run = components["schemas"]["RunRead"];

function run(id: string, over: Partial<Run>): Run {
  return {
    id,
    rule_id: "r1",
    trigger: "manual",
    dry_run: false,
    slot_at: null,
    started_at: "2026-02-14T12:00:00Z",
    finished_at: "2026-02-14T12:00:01Z",
    window_start: "2026-02-08",
    window_end: "2026-02-14",
    campaigns_evaluated: 3,
    campaigns_affected: 1,
    undone_at: null,
    ...over,
  };
}

function serve(items: Run[]) {
  vi.mocked(api.GET).mockResolvedValue({
    data: { items, total: items.length, offset: 0, limit: 20 },
    response: new Response(null, { status: 200 }),
  } as never);
}

function renderHistory(lastExecuted: string | null) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <RuleHistory ruleId="r1" lastExecuted={lastExecuted} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("RuleHistory", () => {
  it("says the rule never ran", async () => {
    serve([]);
    renderHistory(null);
    expect(await screen.findByText("Not executed yet")).toBeVisible();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("lists every kind of run in words, each linking to its page", async () => {
    serve([
      run("u1", { trigger: "undo" }),
      run("m1", { undone_at: "2026-02-14T13:00:00Z" }),
      run("s1", { trigger: "schedule", finished_at: null }),
      run("d1", { dry_run: true }),
    ]);
    renderHistory("2026-02-14T12:00:01Z");
    const rows = await screen.findAllByRole("row");
    expect(rows).toHaveLength(5);
    const [, undo, manual, scheduled, dry] = rows as HTMLElement[];
    expect(within(undo as HTMLElement).getByRole("cell", { name: "undo" })).toBeVisible();
    expect(within(manual as HTMLElement).getByRole("cell", { name: "manual" })).toBeVisible();
    expect(manual).toHaveTextContent("undone");
    expect(within(scheduled as HTMLElement).getByRole("cell", { name: "scheduled" })).toBeVisible();
    expect(scheduled).toHaveTextContent("running");
    expect(dry).toHaveTextContent("dry run");
    expect(dry).toHaveTextContent("1 (would)");
    expect(manual).toHaveTextContent("2026-02-08 to 2026-02-14");
    expect(within(manual as HTMLElement).getByRole("link")).toHaveAttribute(
      "href",
      "/rule-runs/m1",
    );
    expect(screen.queryByText(/Not executed yet/)).toBeNull();
  });

  it("after dry runs only, says the rule was not executed yet", async () => {
    serve([run("d1", { dry_run: true })]);
    renderHistory(null);
    expect(await screen.findByText(/Not executed yet: dry runs only/)).toBeVisible();
    expect(screen.getByRole("cell", { name: "dry run" })).toBeVisible();
  });
});
