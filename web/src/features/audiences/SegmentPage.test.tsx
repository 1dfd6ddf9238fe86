import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { components } from "../../api/schema";
import { type PageQuery, pageAnswer } from "../../test-list-api";
import { renderPageAt } from "../../test-render";
import SegmentPage from "./SegmentPage";

const { GET, upload } = vi.hoisted(() => ({ GET: vi.fn(), upload: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));
vi.mock("../../lib/upload", async (original) => ({
  ...(await original<typeof import("../../lib/upload")>()),
  uploadWithProgress: upload,
}));

type Profile = components["schemas"]["ProfileRead"];

const PROFILES_PATH = "/api/v1/cdp/segments/{segment_id}/profiles";

function person(externalId: string, fields: Record<string, string>, more: Partial<Profile> = {}) {
  return {
    external_id: externalId,
    fields,
    extra_emails: [],
    extra_phones: [],
    traits: null,
    consent: { ad_user_data: "unspecified", ad_personalization: "unspecified" },
    created_at: "2026-02-14T12:34:56Z",
    updated_at: "2026-02-14T12:34:56Z",
    ...more,
  } satisfies Profile;
}

// 21 people, last updated first: Ann (two further emails), then 19 with an email only, then Zed
// alone on the second page.
const PEOPLE: Profile[] = [
  person(
    "c-1",
    {
      email: "ann@example.com",
      phone: "+14155550100",
      first_name: "Ann",
      last_name: "Lee",
      country: "US",
    },
    {
      extra_emails: ["ann.lee@work.example", "ann@home.example"],
      consent: { ad_user_data: "granted", ad_personalization: "unspecified" },
      updated_at: "2026-03-01T09:30:00Z",
    },
  ),
  ...Array.from({ length: 19 }, (_, i) => person(`c-${i + 2}`, { email: `p${i + 2}@example.com` })),
  person("z-21", { first_name: "Zed" }),
];

let people = PEOPLE;

/** The API's search: an external id's start (exact case), an email (any case), a phone's digits. */
function finds(p: Profile, q: string): boolean {
  const email = q.trim().toLowerCase();
  const digits = q.replace(/\D/g, "");
  const emails = [p.fields.email, ...(p.extra_emails ?? [])];
  return (
    p.external_id.startsWith(q) ||
    emails.some((e) => e?.toLowerCase() === email) ||
    (digits !== "" && p.fields.phone?.replace(/\D/g, "") === digits)
  );
}

// A CSV of one new person: its dry run, then its import.
const NONE = { email: 0, phone: 0, name_zip: 0, madid: 0 };
const PREVIEW = {
  dry_run: true,
  columns: [],
  dialect: {
    bom: false,
    compression: null,
    delimiter: ",",
    delimiter_name: "comma",
    encoding: "UTF-8",
    line_ending: "LF",
    skipped_lines: 0,
  },
  received: 1,
  people: 1,
  new_people: 1,
  existing_people: 0,
  duplicates: 0,
  invalid: 0,
  invalid_samples: [],
  identifier_counts: { emails: 1, phones: 0 },
  identifier_coverage: { ...NONE, email: 1 },
} satisfies components["schemas"]["ImportPreview"];
const RESULT = {
  received: 1,
  inserted: 1,
  updated: 0,
  unchanged: 0,
  duplicates: 0,
  invalid: 0,
  invalid_samples: [],
  suppressed: 0,
  profile_count: 22,
} satisfies components["schemas"]["ImportResult"];

beforeEach(() => {
  people = PEOPLE;
  upload.mockReset();
  GET.mockReset();
  GET.mockImplementation(
    async (path: string, init?: { params: { query?: PageQuery & { q?: string } } }) => {
      const query = init?.params.query ?? { page: 1, page_size: 20 };
      if (path === PROFILES_PATH) {
        const found = query.q ? people.filter((p) => finds(p, query.q ?? "")) : people;
        return pageAnswer(
          "profiles",
          found,
          { page: query.page, page_size: query.page_size },
          () => [],
        );
      }
      if (path === "/api/v1/cdp/audience-sync/audiences") {
        return pageAnswer("audiences", [], query, () => []);
      }
      if (path === "/api/v1/cdp/audience-sync/platforms") {
        return { data: { platforms: [] }, response: { ok: true } };
      }
      const coverage = { email: 20, phone: 1, name_zip: 0, madid: 0 };
      return {
        data: {
          id: "s-1",
          name: "Loyal buyers",
          description: null,
          profile_count: people.length,
          audience_count: 0,
          identifier_coverage: { ...coverage, extra_emails: 1, extra_phones: 0 },
          created_at: "2026-02-14T12:34:56Z",
          updated_at: "2026-02-14T12:34:56Z",
        },
        response: { ok: true },
      };
    },
  );
});

function renderPage() {
  return renderPageAt("/segments/:segmentId", SegmentPage, "/segments/s-1");
}

function peopleRequests() {
  return GET.mock.calls.filter(([path]) => path === PROFILES_PATH).map(([, init]) => init);
}

describe("the segment page's people", () => {
  it("lists the segment's people, each linked to the Privacy page's lookup", async () => {
    renderPage();
    const section = await screen.findByRole("region", { name: "People" });
    const table = await within(section).findByRole("table", { name: "21 people" });
    expect(peopleRequests()).toEqual([
      { params: { path: { segment_id: "s-1" }, query: { page: 1, page_size: 20 } } },
    ]);
    const ann = within(table).getByRole("row", { name: /^c-1 / });
    const cells = within(ann).getAllByRole("cell");
    expect(cells.map((c) => c.textContent)).toEqual([
      "c-1",
      "ann@example.com +2 more",
      "+14155550100",
      "Ann Lee",
      "US",
      "granted / unspecified",
      "Mar 1, 2026, 9:30 AM UTC",
    ]);
    expect(within(cells[1] as HTMLElement).getByText("+2 more")).toHaveClass("muted");
    expect(within(ann).getByRole("link", { name: "c-1" })).toHaveAttribute(
      "href",
      "/privacy?external_id=c-1",
    );
    const other = within(table).getByRole("row", { name: /^c-2 / });
    expect(
      within(other)
        .getAllByRole("cell")
        .map((c) => c.textContent),
    ).toEqual([
      "c-2",
      "p2@example.com",
      "—",
      "—",
      "—",
      "unspecified / unspecified",
      "Feb 14, 2026, 12:34 PM UTC",
    ]);
  });

  it("searches by email from the first page and offers to clear a miss", async () => {
    const { user } = renderPage();
    await screen.findByRole("table", { name: "21 people" });
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("link", { name: "z-21" })).toBeVisible();
    const box = screen.getByRole("searchbox", { name: "Search people by id, email or phone" });
    await user.type(box, "ANN@example.com");
    expect(await screen.findByText("1 person matching “ANN@example.com”")).toBeVisible();
    expect(screen.getByRole("link", { name: "c-1" })).toBeVisible();
    expect(screen.queryByRole("link", { name: "c-2" })).toBeNull();
    expect(peopleRequests().at(-1)).toEqual({
      params: {
        path: { segment_id: "s-1" },
        query: { page: 1, page_size: 20, q: "ANN@example.com" },
      },
    });

    await user.clear(box);
    await user.type(box, "nobody@example.com");
    expect(await screen.findByText("No person matches “nobody@example.com”")).toBeVisible();
    expect(screen.queryByText("No people yet")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Clear the search" }));
    expect(await screen.findByText("21 people")).toBeVisible();
    expect(box).toHaveValue("");
  });

  it("pages through the people, 20 at a time", async () => {
    const { user } = renderPage();
    const table = await screen.findByRole("table", { name: "21 people" });
    expect(within(table).getAllByRole("row")).toHaveLength(21); // the header and 20 people
    expect(screen.getByText("Page 1 of 2")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Page 2 of 2")).toBeVisible();
    expect(screen.getByRole("link", { name: "z-21" })).toBeVisible();
    expect(screen.queryByRole("link", { name: "c-1" })).toBeNull();
    expect(peopleRequests().at(-1)).toEqual({
      params: { path: { segment_id: "s-1" }, query: { page: 2, page_size: 20 } },
    });
  });

  it("says an empty segment has no people yet, without a search box", async () => {
    people = [];
    renderPage();
    expect(await screen.findByText("No people yet")).toBeVisible();
    expect(
      screen.getByText("Import a CSV file above to add the segment's customers."),
    ).toBeVisible();
    expect(
      screen.queryByRole("searchbox", { name: "Search people by id, email or phone" }),
    ).toBeNull();
  });

  it("shows the API's error with a retry", async () => {
    const answer = GET.getMockImplementation();
    GET.mockImplementation(async (path: string, init?: unknown) =>
      path === PROFILES_PATH
        ? {
            error: { error: { code: "UNAVAILABLE", message: "The CDP is resting." } },
            response: { ok: false, status: 503, headers: new Headers() },
          }
        : answer?.(path, init),
    );
    const { user } = renderPage();
    const section = await screen.findByRole("region", { name: "People" });
    expect(await within(section).findByRole("alert")).toHaveTextContent("The CDP is resting.");
    if (answer) GET.mockImplementation(answer);
    await user.click(within(section).getByRole("button", { name: "Try again" }));
    expect(await within(section).findByRole("table", { name: "21 people" })).toBeVisible();
  });

  it("refreshes the people once a CSV import succeeds", async () => {
    upload.mockImplementation(async (url: string) => {
      if (url.includes("dry_run=true")) return PREVIEW;
      people = [person("n-0", { email: "new@example.com" }), ...PEOPLE];
      return RESULT;
    });
    const { user } = renderPage();
    await screen.findByRole("table", { name: "21 people" });
    const csv = new File(["external_id,email\nn-0,new@example.com\n"], "new.csv", {
      type: "text/csv",
    });
    await user.upload(screen.getByLabelText("CSV file"), csv);
    await user.click(screen.getByRole("button", { name: "Preview" }));
    await user.click(await screen.findByRole("button", { name: "Import" }));
    expect(await screen.findByRole("table", { name: "22 people" })).toBeVisible();
    expect(screen.getByRole("link", { name: "n-0" })).toBeVisible();
  });
});
