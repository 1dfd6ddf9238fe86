import { screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type DateRange, lastDays } from "../../lib/metrics";
import { dailyRow } from "../../test-metrics";
import { expectCustomRange } from "../../test-range";
import { renderPageAt } from "../../test-render";
import { CampaignMetrics } from "./CampaignMetrics";

const { GET, POST } = vi.hoisted(() => ({ GET: vi.fn(), POST: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET, POST } }));
// The chart library stays out of jsdom: the chart is its titled figure.
vi.mock("../../components/LazyChart", () => ({
  preloadChart: () => undefined,
  LazyDailyChart: ({ title }: { title: string }) => <figure aria-label={title} />,
}));

interface MetricsQuery {
  start_date: string;
  end_date: string;
  offset: number;
  limit: number;
}

const day = (date: string, spend: string, revenue: string, clicks: number) =>
  dailyRow({ date, spend, revenue, clicks });

/** The campaign's stored days (whatever the range asked), paged as the API pages them. */
let days: ReturnType<typeof day>[] = [];

beforeEach(() => {
  days = [];
  GET.mockReset();
  GET.mockImplementation(async (_: string, init: { params: { query: MetricsQuery } }) => {
    const { offset, limit } = init.params.query;
    const items = days.slice(offset, offset + limit);
    return { data: { items, total: days.length, offset, limit }, response: { ok: true } };
  });
  POST.mockReset();
  POST.mockResolvedValue({ data: { rows_upserted: 7 }, response: { ok: true } });
});

function renderMetrics(url = "/campaigns/c1") {
  return renderPageAt("/campaigns/:campaignId", () => <CampaignMetrics id="c1" />, url);
}

const datesOf = (range: DateRange) => ({ start_date: range.start, end_date: range.end });

/** The metrics requests sent so far (the table's pages and the chart's series). */
const asked = (): MetricsQuery[] => GET.mock.calls.map(([, init]) => init.params.query);

const tiles = () =>
  Object.fromEntries(
    [...screen.getByRole("region", { name: "Campaign totals" }).querySelectorAll(".tile")].map(
      (tile) => [tile.children[0]?.textContent, tile.children[1]?.textContent],
    ),
  );

describe("a campaign's daily metrics", () => {
  it("totals the whole range in tiles, with a dash for a ratio over 0", async () => {
    days = [day("2026-03-01", "10.10", "20.00", 25), day("2026-03-02", "0.20", "1.00", 5)];
    renderMetrics();
    const month = lastDays(30);
    expect(
      await screen.findByRole("heading", {
        name: `Daily metrics, ${month.start} to ${month.end}`,
      }),
    ).toBeVisible();
    await screen.findByRole("region", { name: "Campaign totals" });
    expect(tiles()).toEqual({
      Spend: "$10.30",
      Revenue: "$21.00",
      ROAS: "2.04×",
      CTR: "1.50%",
      CPA: "—",
      Impressions: "2,000",
      Clicks: "30",
      Conversions: "0",
    });
    expect(screen.getByRole("figure", { name: "Spend and revenue per day" })).toBeVisible();
    expect(screen.getByRole("button", { name: "Last 30 days" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
  });

  it("reads, pages and refreshes the range chosen, in the URL, back at the first page", async () => {
    days = Array.from({ length: 40 }, (_, i) =>
      day(`2026-01-${String(i + 1).padStart(2, "0")}`, "1.00", "2.00", 1),
    );
    const { router, user } = renderMetrics();
    expect(await screen.findByText("Page 1 of 2")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Page 2 of 2")).toBeVisible();
    expect(asked().at(-1)).toMatchObject({ offset: 31, limit: 31 });

    await user.click(screen.getByRole("button", { name: "Last 7 days" }));
    const week = lastDays(7);
    expect(router.state.location.search).toBe(`?from=${week.start}&to=${week.end}`);
    expect(screen.getByRole("button", { name: "Last 7 days" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(await screen.findByText("Page 1 of 2")).toBeVisible();
    expect(
      screen.getByRole("heading", { name: `Daily metrics, ${week.start} to ${week.end}` }),
    ).toBeVisible();
    const forWeek = asked().filter((q) => q.start_date === week.start);
    expect(forWeek).toContainEqual({ ...datesOf(week), offset: 0, limit: 31 }); // the table
    expect(forWeek).toContainEqual({ ...datesOf(week), offset: 0, limit: 200 }); // the series
    expect(forWeek.some((q) => q.offset === 31)).toBe(false);

    await user.click(screen.getByRole("button", { name: "Refresh from the platform" }));
    expect(await screen.findByText("7 days updated")).toBeVisible();
    expect(POST).toHaveBeenCalledWith("/api/v1/metrics/campaign/{campaign_id}/refresh", {
      params: { path: { campaign_id: "c1" }, query: datesOf(week) },
    });

    // The default again: out of the URL.
    await user.click(screen.getByRole("button", { name: "Last 30 days" }));
    expect(router.state.location.search).toBe("");
  });

  it("reads the URL's range on load and refreshes that range", async () => {
    days = Array.from({ length: 40 }, (_, i) =>
      day(`2026-01-${String(i + 1).padStart(2, "0")}`, "1.00", "2.00", 1),
    );
    const { user } = renderMetrics("/campaigns/c1?from=2026-01-01&to=2026-02-09");
    expect(
      await screen.findByRole("heading", { name: "Daily metrics, 2026-01-01 to 2026-02-09" }),
    ).toBeVisible();
    expectCustomRange("2026-01-01", "2026-02-09");
    const range = { start_date: "2026-01-01", end_date: "2026-02-09" };
    expect(await screen.findByText("Page 1 of 2")).toBeVisible();
    expect(asked()).toContainEqual({ ...range, offset: 0, limit: 31 });
    expect(asked().every((q) => q.start_date === "2026-01-01")).toBe(true);

    await user.click(screen.getByRole("button", { name: "Refresh from the platform" }));
    expect(await screen.findByText("7 days updated")).toBeVisible();
    expect(POST).toHaveBeenCalledWith("/api/v1/metrics/campaign/{campaign_id}/refresh", {
      params: { path: { campaign_id: "c1" }, query: range },
    });
  });

  it("asks nothing for a reversed URL range and says why", async () => {
    renderMetrics("/campaigns/c1?from=2026-02-09&to=2026-01-01");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The start date must be on or before the end date.",
    );
    expect(screen.getByRole("heading", { name: "Daily metrics" })).toBeVisible();
    expect(screen.getByRole("button", { name: "Refresh from the platform" })).toBeDisabled();
    expect(GET).not.toHaveBeenCalled();
  });

  it("asks nothing for a reversed range, says why, and cannot refresh it", async () => {
    days = [day("2026-03-01", "10.00", "20.00", 1)];
    const { user } = renderMetrics();
    await screen.findByRole("region", { name: "Campaign totals" });
    const from = screen.getByLabelText("From");
    await user.clear(from);
    await user.type(from, "2999-01-01");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The start date must be on or before the end date.",
    );
    expect(screen.getByRole("heading", { name: "Daily metrics" })).toBeVisible();
    expect(screen.queryByRole("region", { name: "Campaign totals" })).toBeNull();
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.getByRole("button", { name: "Refresh from the platform" })).toBeDisabled();
    expect(screen.queryByRole("figure")).toBeNull();
    expect(asked().some((q) => q.start_date === "2999-01-01")).toBe(false);
  });
});
