import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderRoutesAt } from "../../test-render";
import CampaignDetailPage from "./CampaignDetailPage";

const { GET, DELETE } = vi.hoisted(() => ({ GET: vi.fn(), DELETE: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET, DELETE } }));
// The chart library stays out of jsdom: the chart is its titled figure.
vi.mock("../../components/LazyChart", () => ({
  preloadChart: () => undefined,
  LazyDailyChart: ({ title }: { title: string }) => <figure aria-label={title} />,
}));

const CAMPAIGN = {
  id: "c1",
  name: "Spring sale",
  platform: "meta",
  objective: "sales",
  status: "active",
  budget_daily: "25.50",
  budget_lifetime: null,
  start_date: null,
  end_date: null,
  external_campaign_id: null,
};
const RANGE = "?from=2026-03-01&to=2026-03-15";

const ok = (data: unknown) => ({ data, response: { ok: true, status: 200 } });
const emptyPage = ok({ items: [], total: 0, offset: 0, limit: 20 });

beforeEach(() => {
  GET.mockReset();
  GET.mockImplementation(
    async (path: string, init: { params: { path?: { campaign_id: string } } }) => {
      if (path === "/api/v1/campaigns/{campaign_id}") {
        if (init.params.path?.campaign_id !== "c1") {
          return {
            error: { detail: "Campaign not found" },
            response: { ok: false, status: 404, headers: new Headers() },
          };
        }
        return ok(CAMPAIGN);
      }
      if (path === "/api/v1/ad-groups" || path === "/api/v1/metrics/campaign/{campaign_id}") {
        return emptyPage;
      }
      throw new Error(`unexpected GET ${path}`);
    },
  );
  DELETE.mockReset();
  DELETE.mockResolvedValue({ data: undefined, response: { ok: true, status: 204 } });
});

/** Stands for the Campaigns list the page leads back to. */
function CampaignsList() {
  return <h1>Campaigns list</h1>;
}

/** The campaign's page at `url`, beside the list. */
function renderDetail(url: string) {
  return renderRoutesAt(
    [
      { path: "/campaigns", Component: CampaignsList },
      { path: "/campaigns/:campaignId", Component: CampaignDetailPage },
    ],
    url,
  );
}

describe("a campaign's page, back to the list", () => {
  it("links back to the Campaigns list with its range", async () => {
    renderDetail(`/campaigns/c1${RANGE}`);
    expect(await screen.findByRole("heading", { name: "Spring sale" })).toBeVisible();
    expect(screen.getByRole("link", { name: "← Campaigns" })).toHaveAttribute(
      "href",
      `/campaigns${RANGE}`,
    );
    expect(screen.getByLabelText("From")).toHaveValue("2026-03-01");
  });

  it("links back bare when the URL names no range", async () => {
    renderDetail("/campaigns/c1");
    expect(await screen.findByRole("heading", { name: "Spring sale" })).toBeVisible();
    expect(screen.getByRole("link", { name: "← Campaigns" })).toHaveAttribute("href", "/campaigns");
    // Its other links are not the metric pages': they carry nothing.
    expect(screen.getByRole("link", { name: "Edit" })).toHaveAttribute(
      "href",
      "/campaigns/c1/edit",
    );
  });

  it("goes back to the list with its range once deleted", async () => {
    const { router, user } = renderDetail(`/campaigns/c1${RANGE}`);
    await screen.findByRole("heading", { name: "Spring sale" });
    await user.click(screen.getByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("alertdialog");
    await user.click(within(dialog).getByRole("button", { name: "Delete campaign" }));
    expect(await screen.findByRole("heading", { name: "Campaigns list" })).toBeVisible();
    expect(router.state.location.pathname).toBe("/campaigns");
    expect(router.state.location.search).toBe(RANGE);
  });

  it("offers the list with its range when the campaign is not found", async () => {
    renderDetail(`/campaigns/other${RANGE}`);
    expect(await screen.findByText("Campaign not found")).toBeVisible();
    expect(screen.getByRole("link", { name: "Back to campaigns" })).toHaveAttribute(
      "href",
      `/campaigns${RANGE}`,
    );
  });
});
