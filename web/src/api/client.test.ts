import { afterEach, describe, expect, it, vi } from "vitest";
import { authFetch } from "./client";
import { setTokens } from "./session";

const TOKENS = { access_token: "access-1", token_type: "bearer", csrf_token: "csrf-1" };

function sent(): Request[] {
  return vi.mocked(fetch).mock.calls.map(([request]) => request as Request);
}

afterEach(() => {
  setTokens(null);
  vi.unstubAllGlobals();
});

describe("authFetch", () => {
  it("sends the access token to the API and to the session's password change only", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("{}")),
    );
    setTokens(TOKENS);
    for (const path of [
      "/api/v1/campaigns",
      "/api/v1/session/change-password",
      "/api/v1/session/login",
      "/api/v1/session/logout",
    ]) {
      await authFetch(new Request(`http://localhost${path}`, { method: "POST" }));
    }
    expect(sent().map((r) => r.headers.get("Authorization"))).toEqual([
      "Bearer access-1",
      "Bearer access-1",
      null,
      null,
    ]);
  });

  it("refreshes once and retries a password change refused for an expired token", async () => {
    const answers = [
      new Response("{}", { status: 401 }),
      new Response(JSON.stringify({ ...TOKENS, access_token: "access-2" })),
      new Response("{}", { status: 200 }),
    ];
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => answers.shift()),
    );
    // biome-ignore lint/suspicious/noDocumentCookie: the app reads document.cookie (no Cookie Store in jsdom)
    document.cookie = "adscale_csrf=csrf-1; path=/";
    setTokens(TOKENS);
    const response = await authFetch(
      new Request("http://localhost/api/v1/session/change-password", {
        method: "POST",
        body: "{}",
      }),
    );
    expect(response.status).toBe(200);
    const urls = vi
      .mocked(fetch)
      .mock.calls.map(([r]) => (typeof r === "string" ? r : (r as Request).url));
    expect(urls.map((u) => new URL(u, "http://localhost").pathname)).toEqual([
      "/api/v1/session/change-password",
      "/api/v1/session/refresh",
      "/api/v1/session/change-password",
    ]);
    expect(sent()[2]?.headers.get("Authorization")).toBe("Bearer access-2");
    // biome-ignore lint/suspicious/noDocumentCookie: as above
    document.cookie = "adscale_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
  });
});
