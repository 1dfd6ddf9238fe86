import { NavLink, Outlet, useNavigate } from "react-router";
import { useAuth } from "../features/auth/AuthProvider";

const LINKS = [
  { to: "/", label: "Overview", end: true },
  { to: "/accounts", label: "Ad accounts", end: false },
  { to: "/campaigns", label: "Campaigns", end: false },
  { to: "/rules", label: "Rules", end: false },
  { to: "/segments", label: "Segments", end: false },
  { to: "/audiences", label: "Audiences", end: false },
  { to: "/api-keys", label: "API keys", end: false },
];

export function Layout() {
  const { user, signOut } = useAuth();
  const navigate = useNavigate();
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
                <NavLink to={link.to} end={link.end}>
                  {link.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="muted">
            {user?.email} · {user?.plan}
          </span>
          <button
            type="button"
            className="button secondary"
            onClick={async () => {
              await signOut();
              navigate("/login", { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content">
        <Outlet />
      </main>
    </div>
  );
}
