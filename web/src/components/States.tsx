import type { ReactNode } from "react";
import { errorMessage, isPlanLimit } from "../lib/errors";
import { UpgradeHint } from "./UpgradeHint";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** A searched list that found nothing: "No <thing> matches “search”" and a way back to all. */
export function NoMatch({
  thing,
  search,
  onClear,
}: {
  thing: string;
  search: string;
  onClear: () => void;
}) {
  return (
    <Empty title={`No ${thing} matches “${search}”`}>
      <button type="button" className="button secondary" onClick={onClear}>
        Clear the search
      </button>
    </Empty>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{errorMessage(error)}</p>
      {isPlanLimit(error) ? <UpgradeHint /> : null}
      {retry && !isPlanLimit(error) ? (
        <button type="button" className="button secondary" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
