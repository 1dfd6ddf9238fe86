import type { ReactNode } from "react";
import { Link, type To } from "react-router";
import { ApiError } from "../lib/errors";
import { Empty } from "./States";

/** Something of another user's and something that does not exist look the same: not found. */
export function NotFound(props: {
  error: unknown;
  title: string;
  back: { to: To; label: string };
  fallback: ReactNode;
}) {
  if (props.error instanceof ApiError && [400, 404, 422].includes(props.error.status)) {
    return (
      <Empty title={props.title}>
        <p>It does not exist or is not yours.</p>
        <Link to={props.back.to}>{props.back.label}</Link>
      </Empty>
    );
  }
  return <>{props.fallback}</>;
}
