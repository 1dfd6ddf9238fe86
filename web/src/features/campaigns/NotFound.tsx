import type { ReactNode } from "react";
import { Link } from "react-router";
import { Empty } from "../../components/States";
import { ApiError } from "../../lib/errors";

/** Another user's campaign and a deleted one look the same: not found, no data. */
export function NotFound({ error, fallback }: { error: unknown; fallback: ReactNode }) {
  if (error instanceof ApiError && [400, 404, 422].includes(error.status)) {
    return (
      <Empty title="Campaign not found">
        <p>It does not exist or is not yours.</p>
        <Link to="/campaigns">Back to campaigns</Link>
      </Empty>
    );
  }
  return <>{fallback}</>;
}
