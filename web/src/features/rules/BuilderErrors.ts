// Which message a builder field shows: a level conflict as soon as it arises (computed from
// the values), else the last validation's or the API's message for that field.
import { type FieldErrors, get } from "react-hook-form";
import { LIVE_MESSAGES, levelConflicts, type RuleFormValues } from "./schema";

export type ErrorOf = (path: string) => string | undefined;

export function builderErrors(
  errors: FieldErrors<RuleFormValues>,
  values: RuleFormValues,
): ErrorOf {
  const live = new Map(levelConflicts(values).map((i) => [i.path.join("."), i.message]));
  return (path) => {
    const now = live.get(path);
    if (now) return now;
    const error = get(errors, path) as
      | { message?: string; root?: { message?: string } }
      | undefined;
    const message = error?.message ?? error?.root?.message;
    return message && !LIVE_MESSAGES.has(message) ? message : undefined;
  };
}
