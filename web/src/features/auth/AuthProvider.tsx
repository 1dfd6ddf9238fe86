import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import {
  CSRF_HEADER,
  csrfToken,
  mayHaveSession,
  onSessionExpired,
  refreshSession,
  setTokens,
} from "../../api/session";
import { unwrap } from "../../lib/errors";

type User = components["schemas"]["UserRead"];
type Status = "starting" | "signed-in" | "signed-out";

interface AuthContextValue {
  status: Status;
  user: User | null;
  signIn: (email: string, password: string) => Promise<void>;
  register: (email: string, password: string) => Promise<void>;
  /**
   * Ends this browser's session (the cookie's refresh token revoked, the cookies cleared).
   * `alreadyRevoked`: identity has already ended every session (sign out everywhere), so a
   * refused session logout does not keep the app signed in; the cookie left behind is
   * refused, and cleared, at its next refresh. `notice`: why, for the sign-in page.
   */
  signOut: (options?: SignOutOptions) => Promise<void>;
  /** Why the last session ended, when the app ended it on purpose ("Signed out on every
   * device"); the sign-in page shows it until the next sign-in. Kept here rather than in the
   * navigation's state: the redirect of a page that needs a session may come first. */
  notice: string | null;
  /** A new access token and profile (after a plan change: the token carries the plan). */
  reloadUser: () => Promise<void>;
}

interface SignOutOptions {
  alreadyRevoked?: boolean;
  notice?: string;
}

const AuthContext = createContext<AuthContextValue | null>(null);

async function loadMe(): Promise<User> {
  return unwrap(api.GET("/api/v1/auth/me"));
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>("starting");
  const [user, setUser] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const signedOut = useCallback(
    (why: string | null = null) => {
      setTokens(null);
      setUser(null);
      setNotice(why);
      setStatus("signed-out");
      queryClient.clear();
    },
    [queryClient],
  );

  useEffect(() => onSessionExpired(() => signedOut()), [signedOut]);

  useEffect(() => {
    // A reload: the access token is gone with the page, the cookie is not.
    let live = true;
    (async () => {
      if (mayHaveSession() && (await refreshSession())) {
        const me = await loadMe().catch(() => null);
        if (live && me) {
          setUser(me);
          setStatus("signed-in");
          return;
        }
      }
      if (live) setStatus("signed-out");
    })();
    return () => {
      live = false;
    };
  }, []);

  const start = useCallback(
    async (
      path: "/api/v1/session/login" | "/api/v1/session/register",
      email: string,
      password: string,
    ) => {
      const tokens = await unwrap(api.POST(path, { body: { email, password } }));
      setTokens(tokens);
      setUser(await loadMe());
      setNotice(null);
      setStatus("signed-in");
    },
    [],
  );

  const value: AuthContextValue = {
    status,
    user,
    signIn: (email, password) => start("/api/v1/session/login", email, password),
    register: (email, password) => start("/api/v1/session/register", email, password),
    reloadUser: async () => {
      if (await refreshSession()) setUser(await loadMe());
    },
    notice,
    signOut: async ({ alreadyRevoked = false, notice: why }: SignOutOptions = {}) => {
      const csrf = csrfToken();
      if (csrf) {
        // A failure (identity down) is reported and the session kept: the token is not revoked.
        const logout = unwrap(
          api.POST("/api/v1/session/logout", { headers: { [CSRF_HEADER]: csrf } }),
        );
        await (alreadyRevoked ? logout.catch(() => undefined) : logout);
      }
      signedOut(why ?? null);
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
