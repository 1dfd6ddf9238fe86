import { afterEach, describe, expect, it } from "vitest";
import { getAccessToken, readCookie, refreshSession, setTokens } from "./session";

function clearCookie(name: string) {
  document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
}

afterEach(() => {
  clearCookie("adscale_csrf");
  setTokens(null);
});

describe("readCookie", () => {
  it("finds a cookie among others and decodes it", () => {
    expect(readCookie("b", "a=1; b=x%3Dy; c=3")).toBe("x=y");
    expect(readCookie("missing", "a=1")).toBeNull();
  });
});

describe("refreshSession", () => {
  it("does not call the gateway without a CSRF cookie", async () => {
    const calls: RequestInit[] = [];
    const fetcher = async (_: RequestInfo | URL, init?: RequestInit) => {
      calls.push(init ?? {});
      return new Response("{}", { status: 200 });
    };
    expect(await refreshSession(fetcher as typeof fetch)).toBe(false);
    expect(calls).toHaveLength(0);
  });

  it("sends the CSRF header once for concurrent callers and keeps the token in memory", async () => {
    document.cookie = "adscale_csrf=csrf-123; path=/";
    const headers: Array<Record<string, string>> = [];
    const fetcher = async (_: RequestInfo | URL, init?: RequestInit) => {
      headers.push(init?.headers as Record<string, string>);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new Response(
        JSON.stringify({ access_token: "fresh", token_type: "bearer", csrf_token: "csrf-123" }),
        { status: 200 },
      );
    };
    const results = await Promise.all([
      refreshSession(fetcher as typeof fetch),
      refreshSession(fetcher as typeof fetch),
    ]);
    expect(results).toEqual([true, true]);
    expect(headers).toEqual([{ "X-CSRF-Token": "csrf-123" }]);
    expect(getAccessToken()).toBe("fresh");
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
  });

  it("forgets the access token when the refresh is refused", async () => {
    document.cookie = "adscale_csrf=csrf-123; path=/";
    setTokens({ access_token: "old", token_type: "bearer", csrf_token: "csrf-123" });
    const fetcher = async () => new Response("{}", { status: 401 });
    expect(await refreshSession(fetcher as typeof fetch)).toBe(false);
    expect(getAccessToken()).toBeNull();
  });
});
