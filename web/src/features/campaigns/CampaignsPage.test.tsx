import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ListQuery, listAnswer } from "../../test-list-api";
import { preset } from "../../test-range";
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

// The first campaign's totals (the others have no metrics): over the last 30 days (the default
// range), and over any other range.
const MONTH = {
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
};
const OTHER = {
  ...MONTH,
  impressions: 2000,
  clicks: 60,
  conversions: 300,
  spend: "600.00",
  revenue: "1500.00",
  roas: 2.5,
  cpa: "2.00",
};
const METRICS_PATH = "/api/v1/metrics/campaigns";
let metricsFail = false;
/** While set, metrics answers wait for it (to see the page while they load). */
let metricsGate: Promise<void> | null = null;

beforeEach(() => {
  metricsFail = false;
  metricsGate = null;
  // Today is 2026-03-31 (UTC): the last 30 days run from 2026-03-02.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-03-31T12:00:00Z"));
  GET.mockReset();
  GET.mockImplementation(async (path: string, init: { params: { query: MetricsQuery } }) => {
    if (path !== METRICS_PATH) return listAnswer(CAMPAIGNS, init.params.query);
    if (metricsGate) await metricsGate;
    if (metricsFail) {
      return {
        error: { detail: "Metrics are resting." },
        response: { ok: false, status: 503, headers: new Headers() },
      };
    }
    const { start_date, end_date, campaign_id } = init.params.query;
    const totals = start_date === "2026-03-02" && end_date === "2026-03-31" ? MONTH : OTHER;
    const rows = [totals].filter((m) => campaign_id.includes(m.campaign_id));
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

/** The metrics requests sent so far. */
const metricsCalls = () => GET.mock.calls.filter(([path]) => path === METRICS_PATH);

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

/** The ranges the metrics requests asked for, in order. */
const rangesAsked = () =>
  metricsCalls().map(([, init]) => `${init.params.query.start_date}/${init.params.query.end_date}`);

describe("the campaigns page's metrics range", () => {
  it("begins with the last 30 days: pressed, asked for, and nothing in the URL", async () => {
    const { router } = renderPage("/campaigns");
    expect(await screen.findByRole("cell", { name: "$2,468.00" })).toBeVisible();
    expect(preset(30)).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByLabelText("From")).toHaveValue("2026-03-02");
    expect(screen.getByLabelText("To")).toHaveValue("2026-03-31");
    expect(rangesAsked()).toEqual(["2026-03-02/2026-03-31"]);
    expect(router.state.location.search).toBe("");
  });

  it("asks for the last 7 days once chosen, keeps them in the URL beside the search, and shows “…” meanwhile", async () => {
    const { router, user } = renderPage("/campaigns?q=evergreen");
    expect(await screen.findByRole("cell", { name: "$2,468.00" })).toBeVisible();
    let release = () => {};
    metricsGate = new Promise((resolve) => {
      release = resolve;
    });

    await user.click(preset(7));
    expect(router.state.location.search).toBe("?q=evergreen&from=2026-03-25&to=2026-03-31");
    expect(screen.getByRole("columnheader", { name: "Last 7 days" })).toBeVisible();
    expect(preset(7)).toHaveAttribute("aria-pressed", "true");
    await vi.waitFor(() => expect(metricsCalls()).toHaveLength(2));
    expect(metricsCalls().at(-1)?.[1].params.query).toEqual({
      start_date: "2026-03-25",
      end_date: "2026-03-31",
      offset: 0,
      limit: 20,
      campaign_id: CAMPAIGNS.slice(0, 20).map((c) => c.id),
    });
    // Neither the 30 days' figures nor "no metrics" while the week's are asked.
    expect(metricCells("Evergreen 1")).toEqual(["…", "…", "…", "…"]);

    release();
    expect(await screen.findByRole("cell", { name: "$600.00" })).toBeVisible();
    expect(metricCells("Evergreen 1")).toEqual(["$600.00", "2.50×", "300", "$2.00"]);
    expect(metricCells("Evergreen 2")).toEqual(["—", "—", "—", "—"]);

    // Back to the default: out of the URL again.
    await user.click(preset(30));
    expect(router.state.location.search).toBe("?q=evergreen");
    expect(await screen.findByRole("cell", { name: "$2,468.00" })).toBeVisible();
    expect(screen.getByRole("columnheader", { name: "Last 30 days" })).toBeVisible();
  });

  it("shows the URL's range on load, its dates in the header when it is no preset", async () => {
    renderPage("/campaigns?from=2026-03-01&to=2026-03-15&page=1");
    expect(await screen.findByRole("cell", { name: "$600.00" })).toBeVisible();
    expect(screen.getByRole("columnheader", { name: "2026-03-01 to 2026-03-15" })).toBeVisible();
    expect(screen.getByLabelText("From")).toHaveValue("2026-03-01");
    expect(screen.getByLabelText("To")).toHaveValue("2026-03-15");
    for (const days of [7, 30, 90]) expect(preset(days)).toHaveAttribute("aria-pressed", "false");
    expect(rangesAsked()).toEqual(["2026-03-01/2026-03-15"]);
  });

  it("names a URL range that is a preset by the preset", async () => {
    renderPage("/campaigns?from=2026-03-25&to=2026-03-31");
    expect(await screen.findByRole("cell", { name: "$600.00" })).toBeVisible();
    expect(screen.getByRole("columnheader", { name: "Last 7 days" })).toBeVisible();
    expect(preset(7)).toHaveAttribute("aria-pressed", "true");
    expect(rangesAsked()).toEqual(["2026-03-25/2026-03-31"]);
  });

  it("says why a reversed URL range is refused, asks no metrics, and still lists the campaigns", async () => {
    const { router, user } = renderPage("/campaigns?from=2026-03-15&to=2026-03-01");
    expect(await screen.findByRole("link", { name: "Evergreen 1" })).toBeVisible();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "The start date must be on or before the end date.",
    );
    expect(screen.getByRole("table", { name: "24 campaigns" })).toBeVisible();
    expect(screen.getByRole("columnheader", { name: "Choose a valid date range" })).toBeVisible();
    expect(metricCells("Evergreen 1")).toEqual(["—", "—", "—", "—"]);
    expect(screen.queryByText("Metrics unavailable")).toBeNull();
    expect(metricsCalls()).toEqual([]);

    // A preset mends it.
    await user.click(preset(7));
    expect(router.state.location.search).toBe("?from=2026-03-25&to=2026-03-31");
    expect(await screen.findByRole("cell", { name: "$600.00" })).toBeVisible();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(rangesAsked()).toEqual(["2026-03-25/2026-03-31"]);
  });

  it("takes a malformed URL date for a missing one, then asks once the user types a date", async () => {
    const { router } = renderPage("/campaigns?from=yesterday&to=2026-03-31");
    expect(await screen.findByRole("link", { name: "Evergreen 1" })).toBeVisible();
    expect(screen.getByRole("alert")).toHaveTextContent("Choose a start and an end date.");
    expect(screen.getByLabelText("From")).toHaveValue("");
    expect(screen.getByLabelText("To")).toHaveValue("2026-03-31");
    expect(metricCells("Evergreen 1")).toEqual(["—", "—", "—", "—"]);
    expect(metricsCalls()).toEqual([]);

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-03-20" } });
    expect(router.state.location.search).toBe("?from=2026-03-20&to=2026-03-31");
    expect(await screen.findByRole("cell", { name: "$600.00" })).toBeVisible();
    expect(screen.getByRole("columnheader", { name: "2026-03-20 to 2026-03-31" })).toBeVisible();
    expect(rangesAsked()).toEqual(["2026-03-20/2026-03-31"]);
  });
});

describe("the campaigns page's links to a campaign", () => {
  const href = (name: string) => screen.getByRole("link", { name }).getAttribute("href");

  it("carry the URL's range, not its search or page", async () => {
    renderPage("/campaigns?q=evergreen&page=1&from=2026-03-01&to=2026-03-15");
    expect(await screen.findByRole("cell", { name: "$600.00" })).toBeVisible();
    expect(href("Evergreen 1")).toBe("/campaigns/c-0?from=2026-03-01&to=2026-03-15");
  });

  it("are bare when the URL names no range, or an invalid one", async () => {
    const { user } = renderPage("/campaigns?q=evergreen");
    expect(await screen.findByRole("cell", { name: "$2,468.00" })).toBeVisible();
    expect(href("Evergreen 1")).toBe("/campaigns/c-0");

    // Once a range is chosen, they carry it.
    await user.click(preset(7));
    expect(href("Evergreen 1")).toBe("/campaigns/c-0?from=2026-03-25&to=2026-03-31");

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-04-15" } });
    expect(screen.getByRole("alert")).toHaveTextContent("on or before the end date");
    expect(href("Evergreen 1")).toBe("/campaigns/c-0");
  });
});
