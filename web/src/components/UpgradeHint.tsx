import { Link } from "react-router";

/** The way out of a plan limit: to the billing page's plans. */
export function UpgradeHint() {
  return (
    <p className="upgrade-hint">
      <Link to="/billing">See plans and upgrade</Link> to go past this limit.
    </p>
  );
}
