import { screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { components } from "../../api/schema";
import { renderPageAt } from "../../test-render";
import { SignedInSessions } from "./SignedInSessions";

const { GET, DELETE } = vi.hoisted(() => ({ GET: vi.fn(), DELETE: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET, DELETE } }));

type Session = components["schemas"]["SessionRead"];
type Query = { offset: number; limit: number };

const CHROME_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const FIREFOX_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0";

function session(id: string, userAgent: string | null, lastActive: string, current = false) {
  return {
    id,
    user_agent: userAgent,
    signed_in_at: "2026-03-01T09:30:00Z",
    last_active_at: lastActive,
    expires_at: "2026-03-31T09:30:00Z",
    current,
  } satisfies Session;
}

const HERE = session("5e55-0001", CHROME_LINUX, "2026-03-04T16:00:00Z", true);
const LAPTOP = session("5e55-0002", FIREFOX_WINDOWS, "2026-03-04T12:15:00Z");
const CLI = session("5e55-0003", "adscale-python/0.4.0", "2026-03-03T08:00:00Z");
const NAMELESS = session("5e55-0004", null, "2026-03-02T08:00:00Z");

function answer(status: number, body?: unknown) {
  const ok = status < 400;
  return {
    data: ok ? body : undefined,
    error: ok ? undefined : body,
    response: new Response(null, { status }),
  };
}

/** Identity's sessions: the open ones, last active first; ending one takes it off the list. */
let open: Session[];

beforeEach(() => {
  GET.mockReset();
  DELETE.mockReset();
  open = [HERE, LAPTOP, CLI, NAMELESS];
  GET.mockImplementation(async (path: string, init: { params: { query: Query } }) => {
    if (path !== "/api/v1/auth/sessions") throw new Error(`unexpected GET ${path}`);
    const { offset, limit } = init.params.query;
    const items = open.slice(offset, offset + limit);
    return answer(200, { items, total: open.length, offset, limit });
  });
  DELETE.mockImplementation(
    async (path: string, init: { params: { path: { session_id: string } } }) => {
      if (path !== "/api/v1/auth/sessions/{session_id}")
        throw new Error(`unexpected DELETE ${path}`);
      const id = init.params.path.session_id;
      if (!open.some((s) => s.id === id)) return answer(404, { detail: "Session not found" });
      open = open.filter((s) => s.id !== id);
      return answer(204);
    },
  );
});

function renderSessions() {
  return renderPageAt("/settings", SignedInSessions, "/settings");
}

const region = () => screen.getByRole("region", { name: "Where you're signed in" });
const rowOf = (device: string) =>
  within(region())
    .getAllByRole("row")
    .find((row) => within(row).queryByText(device, { exact: true }));

describe("SignedInSessions", () => {
  it("lists every session by device, this one marked, with when it signed in and was last active", async () => {
    renderSessions();
    expect(await screen.findByText("4 sessions, the one active last first")).toBeVisible();
    expect(region()).toHaveTextContent(
      "Each sign-in on a browser or the CLI is a session. Sign out one you don't recognise; its access ends at once.",
    );
    const rows = within(region()).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getAllByRole("cell")[0]?.textContent)).toEqual([
      "Chrome on Linux This device",
      "Firefox on Windows",
      "AdScale CLI / Python SDK",
      "Unknown device",
    ]);
    // The full User-Agent as a tooltip.
    expect(within(region()).getByText("Firefox on Windows")).toHaveAttribute(
      "title",
      FIREFOX_WINDOWS,
    );
    expect(within(region()).getByText("Unknown device")).not.toHaveAttribute("title");

    const here = rowOf("Chrome on Linux");
    expect(here).toHaveTextContent("Mar 1, 2026, 9:30 AM UTC"); // signed in
    expect(here).toHaveTextContent("Mar 4, 2026, 4:00 PM UTC"); // last active
    // This browser signs out with the header's Sign out; every other one here.
    expect(here && within(here).queryByRole("button")).toBeNull();
    for (const device of ["Firefox on Windows", "AdScale CLI / Python SDK", "Unknown device"]) {
      expect(within(region()).getByRole("button", { name: `Sign out ${device}` })).toBeVisible();
    }
    expect(within(region()).getAllByText("This device")).toHaveLength(1);
    expect(GET).toHaveBeenCalledWith("/api/v1/auth/sessions", {
      params: { query: { offset: 0, limit: 20 } },
    });
  });

  it("signs another device out after a confirmation; its row goes once the list is read again", async () => {
    const { user } = renderSessions();
    await user.click(await screen.findByRole("button", { name: "Sign out Firefox on Windows" }));
    let dialog = screen.getByRole("alertdialog", { name: "Sign out Firefox on Windows?" });
    expect(dialog).toHaveTextContent(
      "Signed in Mar 1, 2026, 9:30 AM UTC, last active Mar 4, 2026, 12:15 PM UTC. Its access ends at once: it has to sign in again.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(DELETE).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Sign out Firefox on Windows" }));
    dialog = screen.getByRole("alertdialog", { name: "Sign out Firefox on Windows?" });
    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("status")).toHaveTextContent(
      "Firefox on Windows is signed out.",
    );
    expect(DELETE).toHaveBeenCalledExactlyOnceWith("/api/v1/auth/sessions/{session_id}", {
      params: { path: { session_id: LAPTOP.id } },
    });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(within(region()).queryByText("Firefox on Windows")).toBeNull();
    expect(screen.getByText("3 sessions, the one active last first")).toBeVisible();
    expect(GET).toHaveBeenCalledTimes(2);
  });

  it("just reads the list again when the session was already over (404), no error", async () => {
    const { user } = renderSessions();
    await user.click(
      await screen.findByRole("button", { name: "Sign out AdScale CLI / Python SDK" }),
    );
    open = open.filter((s) => s.id !== CLI.id); // it expired, or was ended from another tab
    const dialog = screen.getByRole("alertdialog", { name: "Sign out AdScale CLI / Python SDK?" });
    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(DELETE).toHaveBeenCalledOnce();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(within(region()).queryByText("AdScale CLI / Python SDK")).toBeNull();
    expect(screen.getByText("3 sessions, the one active last first")).toBeVisible();
  });

  it("keeps the dialog open with identity's refusal when ending a session fails", async () => {
    DELETE.mockResolvedValue(answer(503, { detail: "Try again shortly" }));
    const { user } = renderSessions();
    await user.click(await screen.findByRole("button", { name: "Sign out Unknown device" }));
    const dialog = screen.getByRole("alertdialog", { name: "Sign out Unknown device?" });
    await user.click(within(dialog).getByRole("button", { name: "Sign out" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Try again shortly");
    // Cancelled, the session is still listed; opened again, the old refusal is gone.
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(within(region()).getByText("Unknown device")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Sign out Unknown device" }));
    expect(within(screen.getByRole("alertdialog")).queryByRole("alert")).toBeNull();
  });

  it("pages through many sessions", async () => {
    open = [
      HERE,
      ...Array.from({ length: 22 }, (_, i) =>
        session(`5e55-1${i}`, FIREFOX_WINDOWS, "2026-03-01T10:00:00Z"),
      ),
    ];
    const { user } = renderSessions();
    expect(await screen.findByText("23 sessions, the one active last first")).toBeVisible();
    expect(within(region()).getAllByRole("row")).toHaveLength(21); // the header and 20
    expect(screen.getByText("Page 1 of 2")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Page 2 of 2")).toBeVisible();
    await waitFor(() => expect(within(region()).getAllByRole("row")).toHaveLength(4));
    expect(GET).toHaveBeenLastCalledWith("/api/v1/auth/sessions", {
      params: { query: { offset: 20, limit: 20 } },
    });
    expect(within(region()).queryByText("This device")).toBeNull();
  });

  it("says when the list can't be read, with a way to try again", async () => {
    GET.mockResolvedValueOnce(answer(503, { detail: "Identity is unavailable" }));
    const { user } = renderSessions();
    expect(await screen.findByRole("alert")).toHaveTextContent("Identity is unavailable");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("4 sessions, the one active last first")).toBeVisible();
  });
});
