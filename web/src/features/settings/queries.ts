import { useMutation } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { CSRF_HEADER, csrfToken, setTokens } from "../../api/session";
import { unwrap } from "../../lib/errors";

type ChangePassword = components["schemas"]["ChangePasswordRequest"];

/**
 * Identity changes the password and ends every session of the user; the gateway keeps the new
 * session's refresh token in this browser's httpOnly cookie (as a sign-in does, so script never
 * sees it) and answers the access token, which this tab goes on with.
 */
export function useChangePassword() {
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
  });
}

/** Identity ends every session of the user, this browser's included. */
export function useLogoutAll() {
  return useMutation({ mutationFn: () => unwrap(api.POST("/api/v1/auth/logout-all")) });
}
