import { type ReactNode, useId } from "react";
import { isPlanLimitMessage } from "../lib/errors";
import { UpgradeHint } from "./UpgradeHint";

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (props: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby": string | undefined;
  }) => ReactNode;
}

/** A labelled control with its hint and its error (the API's message lands here). */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={errorId} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function FormError({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert">
      {message}
      {isPlanLimitMessage(message) ? <UpgradeHint /> : null}
    </div>
  );
}

interface FormActionsProps {
  error?: string | undefined;
  cancel: ReactNode;
  pending: boolean;
  label: string;
}

/** The foot of an edit form: the API's form-level error, Cancel, and the submit button. */
export function FormActions({ error, cancel, pending, label }: FormActionsProps) {
  return (
    <>
      <FormError message={error} />
      <div className="actions">
        {cancel}
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? "Saving…" : label}
        </button>
      </div>
    </>
  );
}
