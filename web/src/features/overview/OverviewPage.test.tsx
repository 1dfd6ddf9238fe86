import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { lastDays } from "../../lib/metrics";
import { dailyRow } from "../../test-metrics";
import { renderPageAt } from "../../test-render";
import OverviewPage from "./OverviewPage";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));
// The chart library stays out of jsdom: the chart is its titled figure.
vi.mock("../../components/LazyChart", () => ({
  preloadChart: () => undefined,
  LazyDailyChart: ({ title }: { title: string }) => <figure aria-label={title} />,
}));

const day = (spend: string, revenue: string, conversions: number) =>
  dailyRow({ spend, revenue, conversions, impressions: 100 });

const CAMPAIGNS = [
  { id: "c-small", name: "Small spender" },
  { id: "c-idle", name: "Idle" },
  { id: "c-big", name: "Big spender" },
];
const DAYS: Record<string, ReturnType<typeof day>[]> = {
  "c-small": [day("4.00", "10.00", 1), day("6.06", "20.00", 1)],
  "c-idle": [],
  "c-big": [day("50.00", "0.00", 0)],
};
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

/** The account's campaigns: the first page of them is what the overview lists. */
let accountCampaigns = CAMPAIGNS.length;

const ok = (data: unknown) => ({ data, response: { ok: true } });

beforeEach(() => {
  accountCampaigns = CAMPAIGNS.length;
  GET.mockReset();
  GET.mockImplementation(
    async (path: string, init: { params: { path?: { campaign_id: string } } }) => {
      if (path === "/api/v1/metrics/overview") return ok(OVERVIEW);
      if (path === "/api/v1/campaigns") {
        return ok({ items: CAMPAIGNS, total: accountCampaigns, offset: 0, limit: 200 });
      }
      const items = DAYS[init.params.path?.campaign_id ?? ""] ?? [];
      return ok({ items, total: items.length, offset: 0, limit: 200 });
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

describe("the overview", () => {
  it("lists each campaign with metrics in the range, most spend first", async () => {
    renderPageAt("/", OverviewPage, "/");
    const table = await screen.findByRole("table", { name: /2 campaigns with metrics/ });
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
      screen.getByRole("figure", { name: "Spend and revenue per day, all campaigns" }),
    ).toBeVisible();
    expect(screen.queryByText(/cover the first/)).toBeNull();
    // The tiles are the API's totals, CTR with two decimals.
    expect(within(screen.getByRole("region", { name: "Totals" })).getByText("3.00%")).toBeVisible();
    expect(screen.getByRole("button", { name: "Last 30 days" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
  });

  it("says the chart and the table cover the first campaigns only when there are more", async () => {
    accountCampaigns = 250;
    renderPageAt("/", OverviewPage, "/");
    await screen.findByRole("table", { name: /2 campaigns with metrics/ });
    expect(
      screen.getByText(
        "The chart and the campaigns table cover the first 3 of your 250 campaigns; the totals above cover all of them.",
      ),
    ).toBeVisible();
    expect(
      screen.getByRole("figure", { name: "Spend and revenue per day, first 3 campaigns" }),
    ).toBeVisible();
  });

  it("reads the preset's range", async () => {
    const { user } = renderPageAt("/", OverviewPage, "/");
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Last 7 days" }));
    const week = lastDays(7);
    expect(screen.getByRole("button", { name: "Last 7 days" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(GET).toHaveBeenCalledWith("/api/v1/metrics/overview", {
      params: { query: { start_date: week.start, end_date: week.end } },
    });
    expect(GET).toHaveBeenCalledWith("/api/v1/metrics/campaign/{campaign_id}", {
      params: {
        path: { campaign_id: "c-big" },
        query: { start_date: week.start, end_date: week.end, offset: 0, limit: 200 },
      },
    });
  });
});
