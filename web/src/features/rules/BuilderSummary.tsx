import { errorMessage } from "../../lib/errors";
import { describeRule } from "./describe";
import { useExpandedRule } from "./queries";

/** A stored rule in one sentence, from what runs (`GET /rules/{id}?expand=true`). */
export function RuleSummary({ id }: { id: string }) {
  const rule = useExpandedRule(id);
  if (rule.isPending) return <span className="muted">Loading…</span>;
  if (rule.error) return <span className="field-error">{errorMessage(rule.error)}</span>;
  return <>{describeRule(rule.data.conditions)}</>;
}
