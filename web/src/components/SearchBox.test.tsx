import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { MemoryRouter, useLocation } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { UrlPagination } from "./Pagination";
import { SearchBox, useUrlSearch } from "./SearchBox";

/** A search box whose search is held by its parent, as a list holds it. */
function Held({ onSearch, initial = "" }: { onSearch: (value: string) => void; initial?: string }) {
  const [search, setSearch] = useState(initial);
  return (
    <>
      <SearchBox
        label="Search campaigns by name"
        value={search}
        onSearch={(value) => {
          onSearch(value);
          setSearch(value);
        }}
      />
      <output aria-label="Search in force">{search}</output>
      <button type="button" onClick={() => setSearch("")}>
        Show every campaign
      </button>
    </>
  );
}

const box = () => screen.getByLabelText("Search campaigns by name");
const inForce = () => screen.getByLabelText("Search in force");

describe("SearchBox", () => {
  it("sends what is typed once the typing pauses, not each keystroke", async () => {
    const onSearch = vi.fn();
    render(<Held onSearch={onSearch} />);
    const user = userEvent.setup();
    await user.type(box(), "spring");
    expect(onSearch).not.toHaveBeenCalled();
    await waitFor(() => expect(inForce()).toHaveTextContent("spring"));
    expect(onSearch.mock.calls).toEqual([["spring"]]);
  });

  it("sends at once on Enter, without submitting the form it is in", async () => {
    const onSearch = vi.fn();
    const onSubmit = vi.fn((event: { preventDefault: () => void }) => event.preventDefault());
    render(
      <form onSubmit={onSubmit}>
        <Held onSearch={onSearch} />
      </form>,
    );
    const user = userEvent.setup();
    await user.type(box(), "sale{Enter}");
    expect(onSearch.mock.calls).toEqual([["sale"]]);
    expect(inForce()).toHaveTextContent("sale");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("clears at once with its Clear button, shown only when there is text", async () => {
    const onSearch = vi.fn();
    render(<Held onSearch={onSearch} initial="spring" />);
    expect(box()).toHaveValue("spring");
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Clear" }));
    expect(box()).toHaveValue("");
    expect(onSearch.mock.calls).toEqual([[""]]);
    expect(inForce()).toBeEmptyDOMElement();
    expect(screen.queryByRole("button", { name: "Clear" })).toBeNull();
  });

  it("follows a search changed elsewhere and does not send the old text back", async () => {
    const onSearch = vi.fn();
    render(<Held onSearch={onSearch} initial="spring" />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Show every campaign" }));
    expect(box()).toHaveValue("");
    await new Promise((resolve) => setTimeout(resolve, 400)); // longer than the pause
    expect(onSearch).not.toHaveBeenCalled();
    expect(inForce()).toBeEmptyDOMElement();
  });
});

/** A list page's search and pagination kept in the URL. */
function UrlList() {
  const [search, setSearch] = useUrlSearch();
  return (
    <>
      <SearchBox label="Search campaigns by name" value={search} onSearch={setSearch} />
      <UrlPagination total={50} />
      <output aria-label="Query string">{useLocation().search}</output>
    </>
  );
}

describe("useUrlSearch", () => {
  it("puts the search in ?q=, back at the first page; the pages keep the search", async () => {
    render(
      <MemoryRouter initialEntries={["/campaigns?page=3"]}>
        <UrlList />
      </MemoryRouter>,
    );
    const query = () => screen.getByLabelText("Query string");
    expect(screen.getByText("Page 3 of 3")).toBeVisible();
    const user = userEvent.setup();
    await user.type(box(), "spring sale");
    await waitFor(() => expect(query()).toHaveTextContent("?q=spring+sale"));
    expect(screen.getByText("Page 1 of 3")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(query()).toHaveTextContent("?q=spring+sale&page=2");
    await user.click(screen.getByRole("button", { name: "Clear" }));
    expect(query()).toBeEmptyDOMElement();
  });

  it("starts from the URL's search", () => {
    render(
      <MemoryRouter initialEntries={["/campaigns?q=Winter"]}>
        <UrlList />
      </MemoryRouter>,
    );
    expect(box()).toHaveValue("Winter");
  });
});
