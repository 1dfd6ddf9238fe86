import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type ListQuery, listAnswer } from "../../test-list-api";
import { BuilderAdGroups } from "./BuilderAdGroups";
import { BuilderCampaigns } from "./BuilderCampaigns";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));

const CAMPAIGNS = [{ id: "c-1", name: "Retargeting", status: "active" }];
// 22 spare ad groups first, so "Cart visitors" and "US broad" are on the second page of 20.
const AD_GROUPS = [
  ...Array.from({ length: 22 }, (_, i) => ({
    id: `g-spare-${i + 1}`,
    campaign_id: "c-1",
    name: `Spare ${String(i + 1).padStart(2, "0")}`,
    status: "active",
  })),
  { id: "g-cart", campaign_id: "c-1", name: "Cart visitors", status: "paused" },
  { id: "g-us", campaign_id: "c-1", name: "US broad", status: "active" },
];

let campaigns: typeof CAMPAIGNS = [];

beforeEach(() => {
  campaigns = CAMPAIGNS;
  GET.mockReset();
  GET.mockImplementation(async (path: string, init: { params: { query: ListQuery } }) =>
    listAnswer(path === "/api/v1/ad-groups" ? AD_GROUPS : campaigns, init.params.query),
  );
});

/** The searches the picker sent to `path`, in order. */
function searchesSent(path: string): Array<string | undefined> {
  return GET.mock.calls
    .filter(([p]) => p === path)
    .map(([, init]) => (init as { params: { query: ListQuery } }).params.query.name_contains);
}

type Which = "ad groups" | "campaigns";

/** A picker whose picks are held as the rule form holds them. */
function Picker({
  which,
  initial,
  onChange,
}: {
  which: Which;
  initial: string[];
  onChange: (ids: string[]) => void;
}) {
  const [value, setValue] = useState(initial);
  const change = (ids: string[]) => {
    onChange(ids);
    setValue(ids);
  };
  return which === "ad groups" ? (
    <BuilderAdGroups value={value} onChange={change} />
  ) : (
    <BuilderCampaigns level="campaign" value={value} onChange={change} />
  );
}

function renderPicker(which: Which, initial: string[] = []) {
  const onChange = vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <Picker which={which} initial={initial} onChange={onChange} />
    </QueryClientProvider>,
  );
  return { onChange, user: userEvent.setup() };
}

describe("the builder's pickers, searched by name", () => {
  it("searches from the first page, keeps the ticks made elsewhere, and counts them", async () => {
    const { user, onChange } = renderPicker("ad groups");
    const picker = screen.getByRole("group", { name: "Specific ad groups" });
    await user.click(await within(picker).findByLabelText(/Spare 03/));
    await user.click(within(picker).getByRole("button", { name: "Next" }));
    expect(await within(picker).findByLabelText(/Cart visitors/)).not.toBeChecked();
    expect(picker).toHaveTextContent("Page 2 of 2");

    // 22 spares match: the search starts again at its first page.
    const search = within(picker).getByLabelText("Search ad groups by name");
    await user.type(search, "SPARE");
    expect(await within(picker).findByText("Page 1 of 2")).toBeVisible();
    expect(within(picker).getByLabelText(/Spare 03/)).toBeChecked();
    expect(GET).toHaveBeenLastCalledWith("/api/v1/ad-groups", {
      params: { query: { offset: 0, limit: 20, name_contains: "SPARE" } },
    });
    expect(searchesSent("/api/v1/ad-groups")).toEqual([undefined, undefined, "SPARE"]);

    // A pick found only through the search; the one made before stays, counted.
    await user.clear(search);
    await user.type(search, "cart");
    await user.click(await within(picker).findByLabelText("Cart visitors (Retargeting, paused)"));
    expect(within(picker).queryByLabelText(/Spare 03/)).toBeNull();
    expect(onChange).toHaveBeenLastCalledWith(["g-spare-3", "g-cart"]);
    expect(picker).toHaveTextContent(
      "2 picked: only these ad groups, 1 not among the matches shown.",
    );

    await user.click(within(picker).getByRole("button", { name: "Clear" }));
    expect(await within(picker).findByLabelText(/Spare 03/)).toBeChecked();
    expect(picker).toHaveTextContent("Page 1 of 2");
    expect(picker).toHaveTextContent("2 picked: only these ad groups, 1 not on this page.");
  });

  it("says when nothing matches the search, apart from having none at all", async () => {
    const { user } = renderPicker("campaigns", ["c-1"]);
    const picker = screen.getByRole("group", { name: "Specific campaigns (optional)" });
    expect(await within(picker).findByLabelText(/Retargeting/)).toBeChecked();
    await user.type(within(picker).getByLabelText("Search campaigns by name"), "xyz");
    expect(await within(picker).findByText("No campaigns match “xyz”.")).toBeVisible();
    expect(within(picker).queryByText("No campaigns yet.")).toBeNull();
    expect(picker).toHaveTextContent(
      "1 picked: only this campaign, 1 not among the matches shown.",
    );
    await user.click(within(picker).getByRole("button", { name: "Clear" }));
    expect(await within(picker).findByLabelText(/Retargeting/)).toBeChecked();
  });

  it("has nothing to search when there is no campaign yet", async () => {
    campaigns = [];
    renderPicker("campaigns");
    const picker = screen.getByRole("group", { name: "Specific campaigns (optional)" });
    expect(await within(picker).findByText("No campaigns yet.")).toBeVisible();
    await waitFor(() =>
      expect(within(picker).queryByLabelText("Search campaigns by name")).toBeNull(),
    );
  });
});
