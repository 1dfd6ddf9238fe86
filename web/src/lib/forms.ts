// Puts an API error where the user acted: each field's message on its field, the rest on the form.
import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { ApiError, errorMessage } from "./errors";

export function applyServerError<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly Path<T>[],
  rename: Partial<Record<string, Path<T>>> = {},
): void {
  let placed = false;
  if (error instanceof ApiError) {
    for (const [name, message] of Object.entries(error.fields)) {
      const target = rename[name] ?? (name as Path<T>);
      if (fields.includes(target)) {
        setError(target, { type: "server", message });
        placed = true;
      }
    }
  }
  if (!placed) setError("root.server" as Path<T>, { type: "server", message: errorMessage(error) });
}
