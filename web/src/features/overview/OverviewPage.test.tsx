import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { components } from "../../api/schema";
import { lastDays } from "../../lib/metrics";
import { dailyRow } from "../../test-metrics";
import { expectCustomRange } from "../../test-range";
import { renderPageAt } from "../../test-render";
import OverviewPage from "./OverviewPage";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));
// The chart library stays out of jsdom: the chart is its titled figure.
vi.mock("../../components/LazyChart", () => ({
  preloadChart: () => undefined,
  LazyDailyChart: ({ title }: { title: string }) => <figure aria-label={title} />,
}));

type CampaignMetrics = components["schemas"]["CampaignMetricsRead"];

const campaign = (
  id: string,
  name: string,
  spend: string,
  revenue: string,
  conversions: number,
  roas: number | null,
  cpa: string | null,
): CampaignMetrics => ({
  campaign_id: id,
  name,
  platform: "meta",
  status: "active",
  impressions: 100,
  clicks: 3,
  conversions,
  spend,
  revenue,
  roas,
  ctr: 0.03,
  cpa,
});

// The API's order (most spend first) is the table's: the page keeps it as given.
const BIG = campaign("c-big", "Big spender", "50.00", "0.00", 0, 0, null);
const SMALL = campaign("c-small", "Small spender", "10.06", "30.00", 2, 2.98, "5.03");
const MANY = Array.from({ length: 25 }, (_, i) =>
  campaign(`c-${i + 1}`, `Campaign ${i + 1}`, `${100 - i}.00`, "0.00", 0, 0, null),
);
const OVERVIEW = {
  start_date: null,
  end_date: null,
  total_spend: "60.05",
  total_revenue: "30.00",
  total_impressions: 300,
  total_clicks: 9,
  total_conversions: 2,
  avg_roas: 0.5,
  avg_ctr: 0.03,
  avg_cpa: "30.03",
};

/** What the mocked API holds: the days across campaigns, each campaign's totals, how many
 * campaigns the account has. */
let days: ReturnType<typeof dailyRow>[];
let inRange: CampaignMetrics[];
let accountCampaigns: number;

const ok = (data: unknown) => ({ data, response: { ok: true } });
const pageOf = <T,>(items: T[], query: { offset: number; limit: number }) =>
  ok({
    items: items.slice(query.offset, query.offset + query.limit),
    total: items.length,
    offset: query.offset,
    limit: query.limit,
  });

beforeEach(() => {
  days = [
    dailyRow({ date: "2026-03-01", spend: "54.00", revenue: "10.00" }),
    dailyRow({ date: "2026-03-02", spend: "6.06", revenue: "20.00" }),
  ];
  inRange = [BIG, SMALL];
  accountCampaigns = 3;
  GET.mockReset();
  GET.mockImplementation(
    async (path: string, init: { params: { query: { offset: number; limit: number } } }) => {
      const query = init.params.query;
      if (path === "/api/v1/metrics/overview") return ok(OVERVIEW);
      if (path === "/api/v1/metrics/daily") return pageOf(days, query);
      if (path === "/api/v1/metrics/campaigns") return pageOf(inRange, query);
      if (path === "/api/v1/campaigns") {
        return ok({ items: [], total: accountCampaigns, offset: 0, limit: 1 });
      }
      throw new Error(`unexpected GET ${path}`);
    },
  );
});

const rowsOf = (table: HTMLElement) =>
  within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    );

const pathsAsked = () => GET.mock.calls.map(([path]) => path);

describe("the overview", () => {
  it("lists the API's campaigns with metrics in the range, in its order, and charts the days", async () => {
    renderPageAt("/", OverviewPage, "/");
    const table = await screen.findByRole("table", {
      name: "2 campaigns with metrics, most spend first",
    });
    expect(screen.getByRole("heading", { name: "Campaigns in this range" })).toBeVisible();
    expect(rowsOf(table)).toEqual([
      ["Big spender", "$50.00", "$0.00", "0.00×", "0", "—"],
      ["Small spender", "$10.06", "$30.00", "2.98×", "2", "$5.03"],
    ]);
    expect(within(table).getByRole("link", { name: "Small spender" })).toHaveAttribute(
      "href",
      "/campaigns/c-small",
    );
    expect(
      await screen.findByRole("figure", { name: "Spend and revenue per day, all campaigns" }),
    ).toBeVisible();
    expect(screen.queryByRole("navigation", { name: "Pagination" })).toBeNull();
    // The tiles are the API's totals, CTR with two decimals.
    expect(within(screen.getByRole("region", { name: "Totals" })).getByText("3.00%")).toBeVisible();
    expect(screen.getByRole("button", { name: "Last 30 days" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    // Three requests, whatever the number of campaigns: no campaign list, no per-campaign rows.
    expect(pathsAsked().sort()).toEqual([
      "/api/v1/metrics/campaigns",
      "/api/v1/metrics/daily",
      "/api/v1/metrics/overview",
    ]);
  });

  it("pages through the campaigns 20 at a time", async () => {
    inRange = MANY;
    const { user } = renderPageAt("/", OverviewPage, "/");
    const table = await screen.findByRole("table", { name: /25 campaigns with metrics/ });
    expect(rowsOf(table)).toHaveLength(20);
    const pages = screen.getByRole("navigation", { name: "Pagination" });
    expect(within(pages).getByText("Page 1 of 2")).toBeVisible();
    await user.click(within(pages).getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("link", { name: "Campaign 21" })).toBeVisible();
    expect(rowsOf(screen.getByRole("table"))).toHaveLength(5);
    const month = lastDays(30);
    expect(GET).toHaveBeenCalledWith("/api/v1/metrics/campaigns", {
      params: {
        query: { start_date: month.start, end_date: month.end, offset: 20, limit: 20 },
      },
    });
  });

  it("says the range has no metrics when the account has campaigns", async () => {
    days = [];
    inRange = [];
    renderPageAt("/", OverviewPage, "/");
    expect(await screen.findByText("No metrics in this range")).toBeVisible();
    expect(screen.queryByRole("figure")).toBeNull();
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.queryByText("No campaigns yet")).toBeNull();
  });

  it("says there are no campaigns yet when the account has none", async () => {
    days = [];
    inRange = [];
    accountCampaigns = 0;
    renderPageAt("/", OverviewPage, "/");
    expect(await screen.findByText("No campaigns yet")).toBeVisible();
    expect(screen.getByRole("link", { name: "create a campaign" })).toHaveAttribute(
      "href",
      "/campaigns/new",
    );
    expect(screen.queryByRole("figure")).toBeNull();
    expect(screen.queryByText("No metrics in this range")).toBeNull();
  });

  it("reads the preset's range on both routes, in the URL, the table back on its first page", async () => {
    inRange = MANY;
    const { router, user } = renderPageAt("/", OverviewPage, "/");
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByRole("link", { name: "Campaign 21" });
    GET.mockClear();
    await user.click(screen.getByRole("button", { name: "Last 7 days" }));
    expect(await screen.findByRole("link", { name: "Campaign 1" })).toBeVisible();
    expect(screen.getByRole("button", { name: "Last 7 days" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    const week = { start_date: lastDays(7).start, end_date: lastDays(7).end };
    expect(router.state.location.search).toBe(`?from=${week.start_date}&to=${week.end_date}`);
    expect(GET.mock.calls).toEqual(
      expect.arrayContaining([
        ["/api/v1/metrics/overview", { params: { query: week } }],
        ["/api/v1/metrics/daily", { params: { query: { ...week, offset: 0, limit: 200 } } }],
        ["/api/v1/metrics/campaigns", { params: { query: { ...week, offset: 0, limit: 20 } } }],
      ]),
    );
    expect(GET).toHaveBeenCalledTimes(3);
    // Each campaign's page opens on the range.
    expect(screen.getByRole("link", { name: "Campaign 1" })).toHaveAttribute(
      "href",
      `/campaigns/c-1?from=${week.start_date}&to=${week.end_date}`,
    );

    // Back to the default: out of the URL, the links bare again.
    await user.click(screen.getByRole("button", { name: "Last 30 days" }));
    expect(router.state.location.search).toBe("");
    expect(screen.getByRole("link", { name: "Campaign 1" })).toHaveAttribute(
      "href",
      "/campaigns/c-1",
    );
  });
});

describe("the overview's range in the URL", () => {
  const FIRST_HALF = { start_date: "2026-03-01", end_date: "2026-03-15" };

  it("is read on load: shown, asked for, carried by the campaigns' links", async () => {
    const { router } = renderPageAt("/", OverviewPage, "/?from=2026-03-01&to=2026-03-15");
    const table = await screen.findByRole("table", { name: /2 campaigns with metrics/ });
    expectCustomRange("2026-03-01", "2026-03-15");
    expect(GET).toHaveBeenCalledWith("/api/v1/metrics/overview", {
      params: { query: FIRST_HALF },
    });
    expect(GET).toHaveBeenCalledWith("/api/v1/metrics/campaigns", {
      params: { query: { ...FIRST_HALF, offset: 0, limit: 20 } },
    });
    expect(within(table).getByRole("link", { name: "Small spender" })).toHaveAttribute(
      "href",
      "/campaigns/c-small?from=2026-03-01&to=2026-03-15",
    );
    expect(router.state.location.search).toBe("?from=2026-03-01&to=2026-03-15");
  });

  it("says why a reversed one is refused and asks nothing", async () => {
    renderPageAt("/", OverviewPage, "/?from=2026-03-15&to=2026-03-01");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The start date must be on or before the end date.",
    );
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.queryByText("Loading metrics…")).toBeNull();
    expect(GET).not.toHaveBeenCalled();
  });
});
