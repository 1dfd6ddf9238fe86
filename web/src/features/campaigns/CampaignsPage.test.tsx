import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ListQuery, listAnswer } from "../../test-list-api";
import { renderPageAt } from "../../test-render";
import CampaignsPage from "./CampaignsPage";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));

// 24 campaigns: a page of 20, then "Spring sale" and three more on the second.
const CAMPAIGNS = [
  ...Array.from({ length: 21 }, (_, i) => `Evergreen ${i + 1}`),
  "Spring sale",
  "Spring brand",
  "Winter clearance",
].map((name, i) => ({
  id: `c-${i}`,
  name,
  platform: "meta",
  objective: "sales",
  status: "active",
  budget_daily: "10.00",
  budget_lifetime: null,
  start_date: null,
  end_date: null,
}));

type MetricsQuery = ListQuery & { campaign_id: string[]; start_date: string; end_date: string };

// The last 30 days' totals of the first campaign only: the others have no metrics in the range.
const METRICS = [
  {
    campaign_id: "c-0",
    name: "Evergreen 1",
    platform: "meta",
    status: "active",
    impressions: 9000,
    clicks: 300,
    conversions: 1234,
    spend: "2468.00",
    revenue: "7404.00",
    roas: 3,
    ctr: 0.0333,
    cpa: "2.00",
  },
];
const METRICS_PATH = "/api/v1/metrics/campaigns";
let metricsFail = false;

beforeEach(() => {
  metricsFail = false;
  // Today is 2026-03-31 (UTC): the last 30 days run from 2026-03-02.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-03-31T12:00:00Z"));
  GET.mockReset();
  GET.mockImplementation(async (path: string, init: { params: { query: MetricsQuery } }) => {
    if (path !== METRICS_PATH) return listAnswer(CAMPAIGNS, init.params.query);
    if (metricsFail) {
      return {
        error: { detail: "Metrics are resting." },
        response: { ok: false, status: 503, headers: new Headers() },
      };
    }
    const rows = METRICS.filter((m) => init.params.query.campaign_id.includes(m.campaign_id));
    return {
      data: { items: rows, total: rows.length, offset: 0, limit: 20 },
      response: { ok: true },
    };
  });
});

afterEach(() => {
  vi.useRealTimers();
});

function renderPage(url: string) {
  return renderPageAt("/campaigns", CampaignsPage, url);
}

describe("the campaigns page's search", () => {
  it("searches by name from the first page, in the URL, and offers to clear a miss", async () => {
    const { router, user } = renderPage("/campaigns?page=2");
    expect(await screen.findByRole("link", { name: "Winter clearance" })).toBeVisible();
    await user.type(screen.getByLabelText("Search campaigns by name"), "spring");
    expect(await screen.findByText("2 campaigns matching “spring”")).toBeVisible();
    expect(screen.getByRole("link", { name: "Spring sale" })).toBeVisible();
    expect(screen.queryByRole("link", { name: "Winter clearance" })).toBeNull();
    expect(router.state.location.search).toBe("?q=spring");
    expect(GET.mock.calls.filter(([path]) => path === "/api/v1/campaigns").at(-1)).toEqual([
      "/api/v1/campaigns",
      { params: { query: { offset: 0, limit: 20, name_contains: "spring" } } },
    ]);

    await user.clear(screen.getByLabelText("Search campaigns by name"));
    await user.type(screen.getByLabelText("Search campaigns by name"), "autumn");
    expect(await screen.findByText("No campaign matches “autumn”")).toBeVisible();
    expect(screen.queryByText("No campaigns yet")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Clear the search" }));
    expect(await screen.findByText("24 campaigns")).toBeVisible();
    expect(screen.getByLabelText("Search campaigns by name")).toHaveValue("");
    expect(router.state.location.search).toBe("");
  });
});

/** The texts of a campaign's row's last four cells (its metrics). */
function metricCells(name: string) {
  const row = screen.getByRole("link", { name }).closest("tr");
  if (!row) throw new Error(`no row for ${name}`);
  return within(row)
    .getAllByRole("cell")
    .slice(-4)
    .map((cell) => cell.textContent);
}

describe("the campaigns page's metrics", () => {
  it("shows each listed campaign's last 30 days, and a dash for one without metrics", async () => {
    renderPage("/campaigns");
    expect(await screen.findByRole("cell", { name: "$2,468.00" })).toBeVisible();
    expect(screen.getByRole("columnheader", { name: "Last 30 days" })).toBeVisible();
    for (const label of ["Spend", "ROAS", "Conversions", "CPA"]) {
      expect(screen.getByRole("columnheader", { name: label })).toBeVisible();
    }
    expect(metricCells("Evergreen 1")).toEqual(["$2,468.00", "3.00×", "1,234", "$2.00"]);
    expect(metricCells("Evergreen 2")).toEqual(["—", "—", "—", "—"]);
    expect(screen.getByRole("table", { name: "24 campaigns" })).toBeVisible();
    expect(screen.queryByText("Metrics unavailable")).toBeNull();
  });

  it("asks once for exactly the page's campaigns, over the last 30 days, the page size as limit", async () => {
    const { user } = renderPage("/campaigns");
    await screen.findByRole("cell", { name: "$2,468.00" });
    const metricsCalls = () => GET.mock.calls.filter(([path]) => path === METRICS_PATH);
    expect(metricsCalls()).toEqual([
      [
        METRICS_PATH,
        {
          params: {
            query: {
              start_date: "2026-03-02",
              end_date: "2026-03-31",
              offset: 0,
              limit: 20,
              campaign_id: CAMPAIGNS.slice(0, 20).map((c) => c.id),
            },
          },
        },
      ],
    ]);

    await user.type(screen.getByLabelText("Search campaigns by name"), "spring");
    expect(await screen.findByText("2 campaigns matching “spring”")).toBeVisible();
    await vi.waitFor(() =>
      expect(metricsCalls().at(-1)?.[1].params.query.campaign_id).toEqual(["c-21", "c-22"]),
    );
    expect(metricsCalls().at(-1)?.[1].params.query.limit).toBe(20);
    await vi.waitFor(() => expect(metricCells("Spring sale")).toEqual(["—", "—", "—", "—"]));
  });

  it("still lists the campaigns when the metrics fail, with a note", async () => {
    metricsFail = true;
    renderPage("/campaigns");
    expect(await screen.findByText("Metrics unavailable")).toBeVisible();
    expect(screen.getByRole("link", { name: "Evergreen 1" })).toBeVisible();
    expect(screen.getByRole("table", { name: "24 campaigns" })).toBeVisible();
    expect(metricCells("Evergreen 1")).toEqual(["—", "—", "—", "—"]);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
