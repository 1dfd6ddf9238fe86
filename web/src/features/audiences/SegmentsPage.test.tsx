import { screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type PageQuery, pageAnswer } from "../../test-list-api";
import { renderPageAt } from "../../test-render";
import SegmentsPage from "./SegmentsPage";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));

// 24 segments: a page of 20, then "VIP buyers" and three more on the second.
const SEGMENTS = [
  ...Array.from({ length: 21 }, (_, i) => `Newsletter ${i + 1}`),
  "VIP buyers",
  "Lapsed vip",
  "Cart abandoners",
].map((name, i) => ({
  id: `s-${i}`,
  name,
  description: null,
  profile_count: 10,
  created_at: "2026-02-14T12:34:56Z",
  updated_at: "2026-02-14T12:34:56Z",
}));

beforeEach(() => {
  GET.mockReset();
  GET.mockImplementation(async (_: string, init: { params: { query: PageQuery } }) =>
    pageAnswer("segments", SEGMENTS, init.params.query, (s) => [s.name]),
  );
});

function renderPage(url: string) {
  return renderPageAt("/segments", SegmentsPage, url);
}

describe("the segments page's search", () => {
  it("searches by name from the first page, in the URL, and offers to clear a miss", async () => {
    const { router, user } = renderPage("/segments?page=2");
    expect(await screen.findByRole("link", { name: "Cart abandoners" })).toBeVisible();
    await user.type(screen.getByLabelText("Search segments by name"), "vip");
    expect(await screen.findByText("2 segments matching “vip”")).toBeVisible();
    expect(screen.getByRole("link", { name: "VIP buyers" })).toBeVisible();
    expect(screen.getByRole("link", { name: "Lapsed vip" })).toBeVisible();
    expect(screen.queryByRole("link", { name: "Cart abandoners" })).toBeNull();
    expect(router.state.location.search).toBe("?q=vip");
    expect(GET).toHaveBeenLastCalledWith("/api/v1/cdp/segments", {
      params: { query: { page: 1, page_size: 20, name_contains: "vip" } },
    });

    await user.clear(screen.getByLabelText("Search segments by name"));
    await user.type(screen.getByLabelText("Search segments by name"), "churned");
    expect(await screen.findByText("No segment matches “churned”")).toBeVisible();
    expect(screen.queryByText("No segments yet")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Clear the search" }));
    expect(await screen.findByText("24 segments")).toBeVisible();
    expect(screen.getByLabelText("Search segments by name")).toHaveValue("");
    expect(router.state.location.search).toBe("");
  });

  it("hides the search box only while there is neither a segment nor a search", async () => {
    GET.mockImplementation(async (_: string, init: { params: { query: PageQuery } }) =>
      pageAnswer("segments", [], init.params.query, () => []),
    );
    const { user } = renderPage("/segments?q=vip");
    expect(await screen.findByText("No segment matches “vip”")).toBeVisible();
    expect(screen.getByLabelText("Search segments by name")).toHaveValue("vip");
    await user.click(screen.getByRole("button", { name: "Clear the search" }));
    expect(await screen.findByText("No segments yet")).toBeVisible();
    expect(screen.queryByLabelText("Search segments by name")).toBeNull();
  });
});
