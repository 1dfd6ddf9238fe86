import { Navigate, Outlet, useLocation } from "react-router";
import { Loading } from "../components/States";
import { useAuth } from "../features/auth/AuthProvider";

export function RequireAuth() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "starting") return <Loading label="Signing you in…" />;
  if (status === "signed-out") {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}
