// The one API client: typed by the generated schema, bearer token attached, a 401 answered
// by one cookie refresh and one retry; a failed refresh ends the session.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { getAccessToken, refreshSession, sessionExpired } from "./session";

const SESSION_PATH = "/api/v1/session/";

function withToken(request: Request): Request {
  const token = getAccessToken();
  if (!token || new URL(request.url).pathname.startsWith(SESSION_PATH)) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}

export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const response = await fetch(withToken(input));
  const path = new URL(input.url).pathname;
  if (response.status !== 401 || path.startsWith(SESSION_PATH) || !getAccessToken()) {
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
