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
  signOut: () => Promise<void>;
  /** A new access token and profile (after a plan change: the token carries the plan). */
  reloadUser: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

async function loadMe(): Promise<User> {
  return unwrap(api.GET("/api/v1/auth/me"));
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>("starting");
  const [user, setUser] = useState<User | null>(null);

  const signedOut = useCallback(() => {
    setTokens(null);
    setUser(null);
    setStatus("signed-out");
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => onSessionExpired(signedOut), [signedOut]);

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
    signOut: async () => {
      const csrf = csrfToken();
      if (csrf) {
        // A failure (identity down) is reported and the session kept: the token is not revoked.
        await unwrap(api.POST("/api/v1/session/logout", { headers: { [CSRF_HEADER]: csrf } }));
      }
      signedOut();
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
