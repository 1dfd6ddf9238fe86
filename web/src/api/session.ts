// The browser session: the access token lives in this module's memory only; the refresh
// token is an httpOnly cookie the gateway sets, which script never sees. Refreshing needs
// the CSRF token from the readable `adscale_csrf` cookie, sent back as a header.
import type { paths } from "./schema";

type Tokens =
  paths["/api/v1/session/login"]["post"]["responses"]["200"]["content"]["application/json"];

export const CSRF_COOKIE = "adscale_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const expiredListeners = new Set<() => void>();

export function getAccessToken(): string | null {
  return accessToken;
}

export function setTokens(tokens: Tokens | null): void {
  accessToken = tokens?.access_token ?? null;
}

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function csrfToken(): string | null {
  return readCookie(CSRF_COOKIE);
}

/** Whether the browser may hold a session cookie (the CSRF cookie shares its lifetime). */
export function mayHaveSession(): boolean {
  return csrfToken() !== null;
}

export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

export function sessionExpired(): void {
  accessToken = null;
  for (const listener of expiredListeners) listener();
}

/** One refresh at a time: concurrent 401s wait for the same rotation. */
export function refreshSession(fetcher: typeof fetch = fetch): Promise<boolean> {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    const csrf = csrfToken();
    if (!csrf) return false;
    const response = await fetcher("/api/v1/session/refresh", {
      method: "POST",
      headers: { [CSRF_HEADER]: csrf },
      credentials: "same-origin",
    });
    if (!response.ok) {
      accessToken = null;
      return false;
    }
    setTokens((await response.json()) as Tokens);
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}
