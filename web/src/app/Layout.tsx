import { useState } from "react";
import { NavLink, Outlet, useNavigate } from "react-router";
import { useRangeSearch } from "../components/DateRangeControl";
import { useAuth } from "../features/auth/AuthProvider";
import { errorMessage } from "../lib/errors";

interface NavItem {
  to: string;
  label: string;
  end: boolean;
  /** A metric page, showing a date range: its link carries the range of the page shown. */
  ranged?: boolean;
}

const LINKS: NavItem[] = [
  { to: "/", label: "Overview", end: true, ranged: true },
  { to: "/accounts", label: "Ad accounts", end: false },
  { to: "/campaigns", label: "Campaigns", end: false, ranged: true },
  { to: "/rules", label: "Rules", end: false },
  { to: "/segments", label: "Segments", end: false },
  { to: "/audiences", label: "Audiences", end: false },
  { to: "/exports", label: "Exports", end: false },
  { to: "/webhooks", label: "Webhooks", end: false },
  { to: "/privacy", label: "Privacy", end: false },
  { to: "/api-keys", label: "API keys", end: false },
  { to: "/billing", label: "Billing", end: false },
];

export function Layout() {
  const { user, signOut } = useAuth();
  const navigate = useNavigate();
  const [signOutError, setSignOutError] = useState<string | null>(null);
  // The range chosen on a metric page follows the user to the others, as Ads Manager's does from
  // tab to tab; a page without one (Rules, …) links to the metric pages at their default.
  const rangeSearch = useRangeSearch();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">AdScale</span>
        <nav aria-label="Main">
          <ul>
            {LINKS.map((link) => (
              <li key={link.to}>
                <NavLink
                  to={{ pathname: link.to, search: link.ranged ? rangeSearch : "" }}
                  end={link.end}
                >
                  {link.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <NavLink to="/settings" className="account-link">
            <span className="visually-hidden">Settings: </span>
            {user?.email} · {user?.plan}
          </NavLink>
          <button
            type="button"
            className="button secondary"
            onClick={async () => {
              try {
                await signOut();
                navigate("/login", { replace: true });
              } catch (error) {
                setSignOutError(`Sign out failed: ${errorMessage(error)}`);
              }
            }}
          >
            Sign out
          </button>
          {signOutError ? (
            <span className="form-error" role="alert">
              {signOutError}
            </span>
          ) : null}
        </div>
      </header>
      <main id="main" className="content">
        <Outlet />
      </main>
    </div>
  );
}
