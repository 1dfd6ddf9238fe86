import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import RunPage from "./RunPage";

vi.mock("../../api/client", () => ({ api: { GET: vi.fn(), POST: vi.fn() } }));

type RunDetail = components["schemas"]["RunDetail"];
type RunObject = components["schemas"]["RunObjectRead"];

const RUN_ID = "00000000-0000-4000-8000-000000000001";
const RULE_ID = "00000000-0000-4000-8000-000000000002";

const PAUSED: RunObject = {
  id: "o1",
  object_type: "campaign",
  campaign_id: "c1",
  campaign_name: "Bleeder",
  ad_group_id: null,
  ad_group_name: null,
  action: "pause",
  outcome: "applied",
  reason: "ROAS 0.62 < 0.80 over the last 7 days",
  description: "Paused campaign 'Bleeder'",
  metric_value: 0.62,
  evaluation: [
    {
      metric: "roas",
      window: "last_7_days",
      operator: "<",
      value: "0.8",
      seen: "0.62",
      held: true,
      group: "all",
    },
  ],
  old_value: "active",
  new_value: "paused",
  platform_status: "failed",
  platform_error: "(#100) Invalid parameter",
  platform_pushed_at: null,
  undone_at: null,
};

const UNMATCHED: RunObject = {
  ...PAUSED,
  id: "o2",
  campaign_id: "c2",
  campaign_name: "Unlinked",
  outcome: "no_match",
  reason: "roas did not hold",
  metric_value: null,
  evaluation: [
    { ...(PAUSED.evaluation[0] as RunObject["evaluation"][0]), seen: null, held: false },
  ],
  old_value: null,
  new_value: null,
  platform_status: "not_applicable",
  platform_error: null,
};

function runOf(over: Partial<RunDetail>, items: RunObject[] = [PAUSED, UNMATCHED]): RunDetail {
  return {
    id: RUN_ID,
    rule_id: RULE_ID,
    trigger: "manual",
    dry_run: false,
    slot_at: null,
    started_at: "2026-02-14T12:00:00Z",
    finished_at: "2026-02-14T12:00:01Z",
    window_start: "2026-02-08",
    window_end: "2026-02-14",
    campaigns_evaluated: 2,
    campaigns_affected: 1,
    undone_at: null,
    objects: { items, total: items.length, offset: 0, limit: 20 },
    ...over,
  };
}

const ok = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });

function serve(run: RunDetail) {
  vi.mocked(api.GET).mockImplementation((async (
    path: string,
    init: { params: { query?: { outcome?: string } } },
  ) => {
    if (path === "/api/v1/rules/{rule_id}") return ok({ id: RULE_ID, name: "Stop bleeders" });
    const outcome = init.params.query?.outcome;
    const items = run.objects.items.filter((o) => !outcome || o.outcome === outcome);
    return ok({ ...run, objects: { ...run.objects, items, total: items.length } });
  }) as never);
}

function renderAt(url: string) {
  const router = createMemoryRouter([{ path: "/rule-runs/:runId", Component: RunPage }], {
    initialEntries: [url],
  });
  render(
    <QueryClientProvider
      client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}
    >
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

describe("RunPage", () => {
  beforeEach(() => vi.mocked(api.POST).mockReset());

  it("shows the run, each object's verdicts, change and push result", async () => {
    serve(runOf({}));
    renderAt(`/rule-runs/${RUN_ID}`);
    expect(await screen.findByRole("heading", { name: "Run of Stop bleeders" })).toBeVisible();
    expect(screen.getByRole("link", { name: "Stop bleeders" })).toHaveAttribute(
      "href",
      `/rules/${RULE_ID}`,
    );
    const row = screen.getByRole("row", { name: /Bleeder/ });
    expect(within(row).getByRole("link", { name: "Bleeder" })).toHaveAttribute(
      "href",
      "/campaigns/c1",
    );
    expect(row).toHaveTextContent("ROAS 0.62 < 0.8");
    expect(row).toHaveTextContent("active → paused");
    expect(row).toHaveTextContent("failed");
    expect(row).toHaveTextContent("(#100) Invalid parameter");
    const other = screen.getByRole("row", { name: /Unlinked/ });
    expect(other).toHaveTextContent("no match");
    expect(other).toHaveTextContent("ROAS n/a < 0.8");
    // The outcome counts come from the API's totals.
    expect(await screen.findByRole("link", { name: "Applied (1)" })).toBeVisible();
    expect(screen.getByRole("link", { name: "All (2)" })).toHaveAttribute("aria-current", "true");
  });

  it("filters by outcome from the URL", async () => {
    serve(runOf({}));
    renderAt(`/rule-runs/${RUN_ID}?outcome=no_match`);
    expect(await screen.findByRole("row", { name: /Unlinked/ })).toBeVisible();
    expect(screen.queryByRole("row", { name: /Bleeder/ })).toBeNull();
    expect(await screen.findByRole("link", { name: "No match (1)" })).toHaveAttribute(
      "aria-current",
      "true",
    );
  });

  it("offers no undo on a dry run and says nothing was changed", async () => {
    serve(runOf({ dry_run: true }));
    renderAt(`/rule-runs/${RUN_ID}`);
    expect(await screen.findByText(/nothing was changed/)).toBeVisible();
    expect(screen.queryByRole("button", { name: "Undo this run" })).toBeNull();
  });

  it("shows the API's refusal in the dialog", async () => {
    serve(runOf({}));
    vi.mocked(api.POST).mockResolvedValue({
      error: { detail: "This run was already undone" },
      response: new Response(null, { status: 409 }),
    } as never);
    renderAt(`/rule-runs/${RUN_ID}`);
    await userEvent.click(await screen.findByRole("button", { name: "Undo this run" }));
    const dialog = screen.getByRole("alertdialog", { name: "Undo this run?" });
    expect(dialog).toHaveTextContent("here and on the ad platform");
    expect(dialog).toHaveTextContent("Bleeder: paused → active");
    await userEvent.click(within(dialog).getByRole("button", { name: "Undo run" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "This run was already undone",
    );
    expect(api.POST).toHaveBeenCalledWith("/api/v1/rule-runs/{run_id}/undo", {
      params: { path: { run_id: RUN_ID } },
    });
  });
});
