import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { SignedInSessions } from "./SignedInSessions";
import { SignOutEverywhere } from "./SignOutEverywhere";

function Account() {
  const { user } = useAuth();
  const plan = user?.plan ?? "";
  return (
    <section className="panel" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      <dl className="facts">
        <dt>Email</dt>
        <dd>{user?.email}</dd>
        <dt>Plan</dt>
        <dd>
          {plan.charAt(0).toUpperCase() + plan.slice(1)} · <Link to="/billing">Change plan</Link>
        </dd>
      </dl>
    </section>
  );
}

export default function SettingsPage() {
  return (
    <>
      <h1>Settings</h1>
      <Account />
      <ChangePasswordForm />
      <SignedInSessions />
      <SignOutEverywhere />
    </>
  );
}
