import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { createMemoryRouter, Navigate, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getAccessToken } from "../../api/session";
import { AuthProvider, useAuth } from "../auth/AuthProvider";
import SettingsPage from "./SettingsPage";

const { GET, POST } = vi.hoisted(() => ({ GET: vi.fn(), POST: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET, POST } }));

const USER = {
  id: "0b7e6a52-0000-4000-8000-000000000001",
  email: "ada@example.com",
  plan: "free",
  created_at: "2026-02-14T12:00:00Z",
};
const TOKENS = { access_token: "access-2", token_type: "bearer", csrf_token: "csrf-2" };
const CHROME_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

function session(id: string, userAgent: string, current: boolean) {
  return {
    id,
    user_agent: userAgent,
    signed_in_at: "2026-03-01T09:30:00Z",
    last_active_at: "2026-03-04T16:00:00Z",
    expires_at: "2026-03-31T09:30:00Z",
    current,
  };
}

/** Identity's open sessions of the user: this browser's and a phone's. */
let sessions = [
  session("5e55-0001", CHROME_LINUX, true),
  session("5e55-0002", SAFARI_IPHONE, false),
];
const CURRENT = "correct horse 1";
const NEW = "battery staple 2";

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

function answer({ status, body, headers }: Answer) {
  const ok = status < 400;
  return {
    data: ok ? body : undefined,
    error: ok ? undefined : body,
    response: new Response(null, { status, headers }),
  };
}

/** The API's answers by path; a path not listed is a test failure. */
function answering(answers: Record<string, Answer>) {
  POST.mockImplementation(async (path: string) => {
    const found = answers[path];
    if (!found) throw new Error(`unexpected POST ${path}`);
    return answer(found);
  });
}

const postedPaths = () => POST.mock.calls.map((call) => call[0]);

/** As RequireAuth: Settings once the reload's cookie refresh signed the user in, the sign-in
 * page (with the page to come back to) once signed out, whoever navigates first. */
function SignedIn({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  if (status === "signed-out")
    return <Navigate to="/login" replace state={{ from: "/settings" }} />;
  return status === "signed-in" ? children : <p>Signing you in…</p>;
}

function LoginProbe() {
  const { notice } = useAuth();
  return (
    <>
      <h1>Sign in</h1>
      <p>{notice}</p>
    </>
  );
}

function renderSettings() {
  const router = createMemoryRouter(
    [
      {
        path: "/settings",
        element: (
          <SignedIn>
            <SettingsPage />
          </SignedIn>
        ),
      },
      { path: "/login", Component: LoginProbe },
      { path: "/billing", element: <h1>Billing</h1> },
    ],
    { initialEntries: ["/settings"] },
  );
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <AuthProvider>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>,
  );
}

async function fill(current: string, next: string, repeat = next) {
  await screen.findByRole("heading", { name: "Settings" });
  if (current) await userEvent.type(screen.getByLabelText("Current password"), current);
  if (next) await userEvent.type(screen.getByLabelText("New password"), next);
  if (repeat) await userEvent.type(screen.getByLabelText("Repeat new password"), repeat);
  await userEvent.click(screen.getByRole("button", { name: "Change password" }));
}

beforeEach(() => {
  GET.mockReset();
  POST.mockReset();
  sessions = [session("5e55-0001", CHROME_LINUX, true), session("5e55-0002", SAFARI_IPHONE, false)];
  GET.mockImplementation(async (path: string) => {
    if (path === "/api/v1/auth/me") return answer({ status: 200, body: USER });
    if (path === "/api/v1/auth/sessions") {
      const page = { items: sessions, total: sessions.length, offset: 0, limit: 20 };
      return answer({ status: 200, body: page });
    }
    throw new Error(`unexpected GET ${path}`);
  });
  // A reload: the cookie session gives the access token.
  // biome-ignore lint/suspicious/noDocumentCookie: the app reads document.cookie (no Cookie Store in jsdom)
  document.cookie = "adscale_csrf=csrf-1; path=/";
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => new Response(JSON.stringify({ ...TOKENS, access_token: "access-1" }))),
  );
});

afterEach(() => {
  // biome-ignore lint/suspicious/noDocumentCookie: as above
  document.cookie = "adscale_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
  vi.unstubAllGlobals();
});

describe("SettingsPage", () => {
  it("shows the account: email, plan and the way to change it", async () => {
    renderSettings();
    const account = await screen.findByRole("region", { name: "Account" });
    expect(account).toHaveTextContent("ada@example.com");
    expect(account).toHaveTextContent("Free");
    await userEvent.click(within(account).getByRole("link", { name: "Change plan" }));
    expect(await screen.findByRole("heading", { name: "Billing" })).toBeInTheDocument();
  });

  it("gives the password fields the autocomplete password managers expect", async () => {
    renderSettings();
    await screen.findByRole("heading", { name: "Settings" });
    expect(screen.getByLabelText("Current password")).toHaveAttribute(
      "autocomplete",
      "current-password",
    );
    expect(screen.getByLabelText("New password")).toHaveAttribute("autocomplete", "new-password");
    expect(screen.getByLabelText("Repeat new password")).toHaveAttribute(
      "autocomplete",
      "new-password",
    );
  });

  it("checks the form before sending anything", async () => {
    renderSettings();
    await fill(CURRENT, "short", "shorter");
    expect(screen.getByLabelText("New password")).toHaveAccessibleDescription(
      /At least 8 characters\./,
    );
    expect(screen.getByLabelText("New password")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Repeat new password")).toHaveAccessibleDescription(
      /The passwords differ\./,
    );
    const same = screen.getByLabelText("New password");
    await userEvent.clear(same);
    await userEvent.type(same, CURRENT);
    const repeat = screen.getByLabelText("Repeat new password");
    await userEvent.clear(repeat);
    await userEvent.type(repeat, CURRENT);
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(same).toHaveAccessibleDescription(/must differ from the current one/);
    expect(POST).not.toHaveBeenCalled();
  });

  it("changes the password; this tab goes on with the new session the gateway keeps", async () => {
    answering({ "/api/v1/session/change-password": { status: 200, body: TOKENS } });
    renderSettings();
    await fill(CURRENT, NEW);
    expect(await screen.findByRole("status")).toHaveTextContent(
      "Password changed. You stay signed in here; every other device is signed out.",
    );
    // One call: the session route, with the CSRF proof; no sign-in again, no token pair in script.
    expect(postedPaths()).toEqual(["/api/v1/session/change-password"]);
    expect(POST.mock.calls[0]?.[1]).toEqual({
      body: { current_password: CURRENT, new_password: NEW },
      headers: { "X-CSRF-Token": "csrf-1" },
    });
    expect(getAccessToken()).toBe("access-2"); // the new session's access token
    for (const label of ["Current password", "New password", "Repeat new password"]) {
      expect(screen.getByLabelText(label)).toHaveValue("");
    }
    expect(screen.getByRole("heading", { name: "Settings" })).toBeInTheDocument();
  });

  it("lists where the user is signed in, between the password and sign out everywhere", async () => {
    renderSettings();
    const signedIn = await screen.findByRole("region", { name: "Where you're signed in" });
    expect(await within(signedIn).findByText("Safari on iPhone")).toBeVisible();
    expect(within(signedIn).getByText("This device")).toBeVisible();
    expect(screen.getAllByRole("heading", { level: 2 }).map((h) => h.textContent)).toEqual([
      "Account",
      "Change password",
      "Where you're signed in",
      "Sessions",
    ]);
  });

  it("reads the sessions again after a password change: only this device's new one is left", async () => {
    answering({ "/api/v1/session/change-password": { status: 200, body: TOKENS } });
    renderSettings();
    const signedIn = await screen.findByRole("region", { name: "Where you're signed in" });
    expect(await within(signedIn).findByText("Safari on iPhone")).toBeVisible();
    sessions = [session("5e55-0003", CHROME_LINUX, true)];
    await fill(CURRENT, NEW);
    expect(await screen.findByText(/Password changed\./)).toBeVisible();
    await waitFor(() => expect(within(signedIn).queryByText("Safari on iPhone")).toBeNull());
    expect(within(signedIn).getByText("1 session, the one active last first")).toBeVisible();
  });

  it("puts a wrong current password under its field", async () => {
    answering({
      "/api/v1/session/change-password": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "current_password"],
              msg: "Current password is incorrect",
              type: "password_incorrect",
            },
          ],
        },
      },
    });
    renderSettings();
    await fill("wrong password", NEW);
    const current = screen.getByLabelText("Current password");
    await waitFor(() => expect(current).toHaveAttribute("aria-invalid", "true"));
    expect(current).toHaveAccessibleDescription("Current password is incorrect");
    expect(screen.getByLabelText("New password")).toHaveAttribute("aria-invalid", "false");
    expect(postedPaths()).toEqual(["/api/v1/session/change-password"]);
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("puts the API's refusal of the new password under that field", async () => {
    answering({
      "/api/v1/session/change-password": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "new_password"],
              msg: "The new password must differ from the current one",
              type: "password_unchanged",
            },
          ],
        },
      },
    });
    renderSettings();
    await fill(CURRENT, NEW);
    await waitFor(() =>
      expect(screen.getByLabelText("New password")).toHaveAccessibleDescription(
        /The new password must differ from the current one$/,
      ),
    );
  });

  it("shows a rate limit's message with the wait", async () => {
    answering({
      "/api/v1/session/change-password": {
        status: 429,
        body: { detail: "Rate limit exceeded; retry later" },
        headers: { "Retry-After": "180" },
      },
    });
    renderSettings();
    await fill(CURRENT, NEW);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Rate limit exceeded; retry later. Try again in 3 minutes.",
    );
    expect(screen.getByRole("button", { name: "Change password" })).toBeEnabled();
  });

  it("signs out everywhere after a confirmation: identity first, then the session", async () => {
    answering({
      "/api/v1/auth/logout-all": { status: 204 },
      "/api/v1/session/logout": { status: 204 },
    });
    renderSettings();
    await userEvent.click(await screen.findByRole("button", { name: "Sign out everywhere" }));
    const dialog = screen.getByRole("alertdialog", { name: "Sign out everywhere?" });
    expect(dialog).toHaveTextContent(
      "Every device signed in to AdScale, this one included, is signed out at once.",
    );
    expect(POST).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign out everywhere" }));
    expect(await screen.findByText("Signed out on every device.")).toBeInTheDocument();
    expect(postedPaths()).toEqual(["/api/v1/auth/logout-all", "/api/v1/session/logout"]);
    expect(POST.mock.calls[1]?.[1]).toEqual({ headers: { "X-CSRF-Token": "csrf-1" } });
  });

  it("signs out here even when the session logout is refused after sign out everywhere", async () => {
    answering({
      "/api/v1/auth/logout-all": { status: 204 },
      "/api/v1/session/logout": { status: 502, body: { detail: "Identity did not answer" } },
    });
    renderSettings();
    await userEvent.click(await screen.findByRole("button", { name: "Sign out everywhere" }));
    const dialog = screen.getByRole("alertdialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign out everywhere" }));
    expect(await screen.findByText("Signed out on every device.")).toBeInTheDocument();
  });

  it("keeps the dialog open with identity's refusal when sign out everywhere fails", async () => {
    answering({
      "/api/v1/auth/logout-all": { status: 503, body: { detail: "Try again shortly" } },
    });
    renderSettings();
    await userEvent.click(await screen.findByRole("button", { name: "Sign out everywhere" }));
    const dialog = screen.getByRole("alertdialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Sign out everywhere" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Try again shortly");
    expect(postedPaths()).toEqual(["/api/v1/auth/logout-all"]);
    expect(screen.getByRole("alertdialog")).toBeInTheDocument(); // still signed in, on Settings
  });
});
