import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { CSRF_HEADER, csrfToken, setTokens } from "../../api/session";
import { ApiError, unwrap } from "../../lib/errors";
import { offsetOf, PAGE_SIZE, previousPageOf } from "../../lib/pagination";

type ChangePassword = components["schemas"]["ChangePasswordRequest"];

/**
 * Identity changes the password and ends every session of the user; the gateway keeps the new
 * session's refresh token in this browser's httpOnly cookie (as a sign-in does, so script never
 * sees it) and answers the access token, which this tab goes on with.
 */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: ChangePassword) => {
      const tokens = await unwrap(
        api.POST("/api/v1/session/change-password", {
          body,
          headers: { [CSRF_HEADER]: csrfToken() ?? "" },
        }),
      );
      setTokens(tokens);
      return tokens;
    },
    // Every other device is signed out and this one goes on with a new session: the list of
    // sessions is read again (not waited for: the change is done).
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["auth-sessions"] });
    },
  });
}

/** Identity ends every session of the user, this browser's included. */
export function useLogoutAll() {
  return useMutation({ mutationFn: () => unwrap(api.POST("/api/v1/auth/logout-all")) });
}

/** The user's open sign-in sessions (devices), the one active last first, a page at a time. */
export function useSessions(page: number) {
  const queryKey = ["auth-sessions", page] as const;
  return useQuery({
    queryKey,
    placeholderData: previousPageOf(queryKey, 1),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/auth/sessions", {
          params: { query: { offset: offsetOf(page), limit: PAGE_SIZE } },
        }),
      ),
  });
}

/** Identity ends one session: its refresh token and its access tokens stop working at once. A
 * session already over (a 404: ended elsewhere, or expired) is what was asked for. */
export function useEndSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      try {
        await unwrap(
          api.DELETE("/api/v1/auth/sessions/{session_id}", {
            params: { path: { session_id: id } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ApiError && error.notFound)) throw error;
      }
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ["auth-sessions"] }),
  });
}
