import { screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type PageQuery, pageAnswer } from "../../test-list-api";
import { renderPageAt } from "../../test-render";
import AudiencesPage from "./AudiencesPage";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));

// 23 audiences: a page of 20 of segment "Newsletter", then two of segment "VIP buyers" and "Winback".
const NAMES: [audience: string, segment: string][] = [
  ...Array.from({ length: 20 }, (_, i): [string, string] => [`Weekly ${i + 1}`, "Newsletter"]),
  ["Best customers", "VIP buyers"],
  ["Lookalike seed", "VIP buyers"],
  ["Winback", "Lapsed"],
];
const AUDIENCES = NAMES.map(([name, segment], i) => ({
  id: `a-${i}`,
  platform_audience_name: name,
  segment_name: segment,
  platform: "meta" as const,
  is_active: true,
  last_sync_status: null,
  last_sync_at: null,
  platform_size: null,
  match_rate: null,
}));

beforeEach(() => {
  GET.mockReset();
  GET.mockImplementation(async (path: string, init?: { params: { query: PageQuery } }) =>
    path === "/api/v1/cdp/audience-sync/platforms"
      ? { data: { platforms: [] }, response: { ok: true } }
      : pageAnswer(
          "audiences",
          AUDIENCES,
          init?.params.query ?? { page: 1, page_size: 20 },
          (a) => [a.platform_audience_name, a.segment_name],
        ),
  );
});

function renderPage(url: string) {
  return renderPageAt("/audiences", AudiencesPage, url);
}

describe("the audiences page's search", () => {
  it("matches the audience's name or its segment's, in the URL, and offers to clear a miss", async () => {
    const { router, user } = renderPage("/audiences?page=2");
    expect(await screen.findByRole("link", { name: "Winback" })).toBeVisible();
    const box = screen.getByRole("searchbox", { name: "Search audiences by name" });
    expect(box).toHaveAccessibleDescription(
      "The audience’s name on the platform or its segment’s name",
    );
    await user.type(box, "vip");
    expect(await screen.findByText("2 audiences matching “vip”")).toBeVisible();
    expect(screen.getByRole("link", { name: "Best customers" })).toBeVisible();
    expect(screen.getByRole("link", { name: "Lookalike seed" })).toBeVisible();
    expect(screen.queryByRole("link", { name: "Winback" })).toBeNull();
    expect(router.state.location.search).toBe("?q=vip");
    expect(GET).toHaveBeenLastCalledWith("/api/v1/cdp/audience-sync/audiences", {
      params: { query: { page: 1, page_size: 20, segment_id: null, name_contains: "vip" } },
    });

    await user.clear(box);
    await user.type(box, "winb");
    expect(await screen.findByText("1 audience matching “winb”")).toBeVisible();

    await user.clear(box);
    await user.type(box, "tiktok");
    expect(await screen.findByText("No audience matches “tiktok”")).toBeVisible();
    expect(screen.queryByText("No audiences yet")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Clear the search" }));
    expect(await screen.findByText("23 audiences")).toBeVisible();
    expect(box).toHaveValue("");
    expect(router.state.location.search).toBe("");
  });
});
