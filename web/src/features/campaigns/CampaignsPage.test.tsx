import { screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
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

beforeEach(() => {
  GET.mockReset();
  GET.mockImplementation(async (_: string, init: { params: { query: ListQuery } }) =>
    listAnswer(CAMPAIGNS, init.params.query),
  );
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
    expect(GET).toHaveBeenLastCalledWith("/api/v1/campaigns", {
      params: { query: { offset: 0, limit: 20, name_contains: "spring" } },
    });

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
