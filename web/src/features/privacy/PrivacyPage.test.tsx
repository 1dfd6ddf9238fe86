import { screen } from "@testing-library/react";
import { StrictMode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { components } from "../../api/schema";
import { renderPageAt } from "../../test-render";
import PrivacyPage from "./PrivacyPage";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));

const HASH = "a".repeat(64);

// p-1 is held in one segment; anyone else is not (404).
const P1 = {
  requested: { kind: "external_id", sha256: HASH },
  identifiers: [{ kind: "external_id", sha256: HASH }],
  platforms: [],
  suppressed: false,
  profiles: [
    {
      segment_id: "s-1",
      segment_name: "Loyal buyers",
      external_id: "p-1",
      fields: { email: "ann@example.com" },
      extra_emails: [],
      extra_phones: [],
      traits: null,
      consent: { ad_user_data: "granted", ad_personalization: "denied" },
      audiences: [],
      created_at: "2026-02-14T12:34:56Z",
      updated_at: "2026-02-14T12:34:56Z",
    },
  ],
} satisfies components["schemas"]["PersonRead"];

beforeEach(() => {
  GET.mockReset();
  GET.mockImplementation(
    async (path: string, init: { params: { query: Record<string, string | number> } }) => {
      if (path === "/api/v1/cdp/erasures") {
        return {
          data: { erasures: [], total: 0, page: 1, page_size: 20 },
          response: { ok: true },
        };
      }
      return init.params.query.external_id === "p-1"
        ? { data: P1, response: { ok: true } }
        : {
            error: { error: { code: "PERSON_NOT_FOUND", message: "Not held." } },
            response: { ok: false, status: 404, headers: new Headers() },
          };
    },
  );
});

function lookUps() {
  return GET.mock.calls.filter(([path]) => path === "/api/v1/cdp/people").map(([, init]) => init);
}

describe("the privacy page's person lookup", () => {
  it("looks the external id of a link up once, on load", async () => {
    // Strict Mode runs the page's effects twice, as in development: still one lookup.
    renderPageAt(
      "/privacy",
      () => (
        <StrictMode>
          <PrivacyPage />
        </StrictMode>
      ),
      "/privacy?external_id=p-1",
    );
    const report = await screen.findByRole("region", { name: "What AdScale holds" });
    expect(report).toHaveTextContent("1 profile held");
    expect(screen.getByRole("cell", { name: "p-1" })).toBeVisible();
    expect(screen.getByRole("cell", { name: "granted / denied" })).toBeVisible();
    expect(screen.getByLabelText("Identifier")).toHaveValue("external_id");
    expect(screen.getByLabelText("Value")).toHaveValue("p-1");
    expect(lookUps()).toEqual([{ params: { query: { external_id: "p-1" } } }]);
  });

  it("says a linked person who is not held is not held, with the erasure offered", async () => {
    renderPageAt("/privacy", PrivacyPage, "/privacy?external_id=gone-7");
    expect(await screen.findByText("AdScale holds nothing about this person")).toBeVisible();
    expect(screen.getByRole("button", { name: "Erase anyway…" })).toBeVisible();
    expect(lookUps()).toEqual([{ params: { query: { external_id: "gone-7" } } }]);
  });

  it("waits for the user without a link, an email first", async () => {
    const { user } = renderPageAt("/privacy", PrivacyPage, "/privacy");
    expect(await screen.findByText("No erasure yet")).toBeVisible();
    expect(screen.getByLabelText("Identifier")).toHaveValue("email");
    expect(screen.getByLabelText("Value")).toHaveValue("");
    expect(lookUps()).toEqual([]);
    await user.selectOptions(screen.getByLabelText("Identifier"), "external_id");
    await user.type(screen.getByLabelText("Value"), "p-1");
    await user.click(screen.getByRole("button", { name: "Look up" }));
    expect(await screen.findByRole("region", { name: "What AdScale holds" })).toBeVisible();
    expect(lookUps()).toEqual([{ params: { query: { external_id: "p-1" } } }]);
  });
});
