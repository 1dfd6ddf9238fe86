// The one API client: typed by the generated schema, bearer token attached, a 401 answered
// by one cookie refresh and one retry; a failed refresh ends the session.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { getAccessToken, refreshSession, sessionExpired } from "./session";

const SESSION_PATH = "/api/v1/session/";
// The one session route of a signed-in user: it carries the access token like the API's.
const SIGNED_IN_SESSION_PATH = "/api/v1/session/change-password";

/** Whether a request goes with the access token (and a 401 earns one refresh and retry):
 * every API call but the session routes that sign in, refresh or sign out. */
function bearsToken(path: string): boolean {
  return !path.startsWith(SESSION_PATH) || path === SIGNED_IN_SESSION_PATH;
}

function withToken(request: Request): Request {
  const token = getAccessToken();
  if (!token || !bearsToken(new URL(request.url).pathname)) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}

export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const response = await fetch(withToken(input));
  const path = new URL(input.url).pathname;
  if (response.status !== 401 || !bearsToken(path) || !getAccessToken()) {
    return response;
  }
  if (await refreshSession()) return fetch(withToken(retry));
  sessionExpired();
  return response;
}

export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  fetch: authFetch,
  credentials: "same-origin",
});
