import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider, useLocation } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { Layout } from "./Layout";

vi.mock("../features/auth/AuthProvider", () => ({
  useAuth: () => ({ user: { email: "ada@example.com", plan: "free" }, signOut: vi.fn() }),
}));

const RANGE = "?from=2026-03-01&to=2026-03-15";

/** Stands for every page: its path as its heading. */
function StandIn() {
  return <h1>{useLocation().pathname}</h1>;
}

/** The layout around stand-ins for the pages, at `url`. */
function renderAt(url: string) {
  const router = createMemoryRouter(
    [
      {
        Component: Layout,
        children: [
          { index: true, Component: StandIn },
          { path: "campaigns", Component: StandIn },
          { path: "campaigns/:campaignId", Component: StandIn },
          { path: "rules", Component: StandIn },
        ],
      },
    ],
    { initialEntries: [url] },
  );
  render(<RouterProvider router={router} />);
  return { router, user: userEvent.setup() };
}

const href = (name: string) =>
  within(screen.getByRole("navigation", { name: "Main" }))
    .getByRole("link", { name })
    .getAttribute("href");

describe("the main navigation", () => {
  it("carries the range shown to the Overview and Campaigns, and only to them", () => {
    renderAt(`/campaigns/c1${RANGE}`);
    expect(href("Overview")).toBe(`/${RANGE}`);
    expect(href("Campaigns")).toBe(`/campaigns${RANGE}`);
    for (const name of ["Ad accounts", "Rules", "Audiences", "Billing"]) {
      expect(href(name)).not.toContain("?");
    }
  });

  it("carries only the range, not the list's search or page", () => {
    renderAt(`/campaigns?q=spring&page=2&from=2026-03-01&to=2026-03-15`);
    expect(href("Overview")).toBe(`/${RANGE}`);
    expect(href("Campaigns")).toBe(`/campaigns${RANGE}`);
  });

  it("is bare where the URL names no range", () => {
    renderAt("/rules");
    expect(href("Overview")).toBe("/");
    expect(href("Campaigns")).toBe("/campaigns");
  });

  it("is bare where the URL's range is refused", () => {
    renderAt("/?from=2026-03-15&to=2026-03-01");
    expect(href("Overview")).toBe("/");
    expect(href("Campaigns")).toBe("/campaigns");
  });

  it("keeps the range from one metric page to the next, Campaigns marked current", async () => {
    const { router, user } = renderAt(`/${RANGE}`);
    await user.click(screen.getByRole("link", { name: "Campaigns" }));
    expect(await screen.findByRole("heading", { name: "/campaigns" })).toBeVisible();
    expect(router.state.location.search).toBe(RANGE);
    expect(screen.getByRole("link", { name: "Campaigns" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: "Overview" })).not.toHaveAttribute("aria-current");
  });
});
