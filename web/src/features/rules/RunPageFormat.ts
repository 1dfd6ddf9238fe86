// Words for a rule run and the objects it judged: the trigger, each filter's verdict, the
// change, the platform push. Pure, so the run page and the history table share them.
import type { components } from "../../api/schema";
import { money } from "../../lib/format";

type Run = components["schemas"]["RunRead"];
type RunObject = components["schemas"]["RunObjectRead"];
type Verdict = components["schemas"]["FilterVerdict"];
export type Outcome = RunObject["outcome"];

export const OUTCOMES: readonly { id: Outcome; label: string }[] = [
  { id: "applied", label: "Applied" },
  { id: "skipped", label: "Skipped" },
  { id: "no_match", label: "No match" },
];

export function isOutcome(value: string | null): value is Outcome {
  return OUTCOMES.some((o) => o.id === value);
}

export function outcomeWord(outcome: Outcome): string {
  return outcome === "no_match" ? "no match" : outcome;
}

const TRIGGERS: Record<Run["trigger"], string> = {
  manual: "manual",
  schedule: "scheduled",
  event: "audience event",
  undo: "undo",
};

/** How a run started, in words; a dry run says so whatever started it. */
export function triggerWord(run: Pick<Run, "trigger" | "dry_run">): string {
  return run.dry_run ? "dry run" : TRIGGERS[run.trigger];
}

/** Whether the Undo button belongs on a run (the API still has the last word: 409). */
export function canOfferUndo(
  run: Pick<Run, "trigger" | "dry_run" | "undone_at" | "campaigns_affected">,
): boolean {
  return (
    !run.dry_run && run.trigger !== "undo" && run.undone_at === null && run.campaigns_affected > 0
  );
}

export function windowText(run: Pick<Run, "window_start" | "window_end">): string {
  return run.window_start === run.window_end
    ? run.window_start
    : `${run.window_start} to ${run.window_end}`;
}

const LABELS: Record<string, string> = {
  roas: "ROAS",
  ctr: "CTR",
  cpc: "CPC",
  cpa: "CPA",
  spend: "Spend",
  revenue: "Revenue",
  impressions: "Impressions",
  clicks: "Clicks",
  conversions: "Conversions",
  daily_budget: "Daily budget",
  age_days: "Age (days)",
  audience_failed: "Failed audiences",
  audience_size: "Audience size",
  audience_match_rate: "Audience match rate",
};

const MONEY = new Set(["spend", "revenue", "cpc", "cpa", "daily_budget"]);
const WHOLE = new Set(["impressions", "clicks", "age_days", "audience_failed", "audience_size"]);
// Metrics of the object as it is now: they take no window.
const STATIC = new Set([
  "daily_budget",
  "age_days",
  "audience_failed",
  "audience_size",
  "audience_match_rate",
]);

export function metricLabel(metric: string): string {
  return LABELS[metric] ?? metric.replaceAll("_", " ");
}

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
// A measured value is shown to 2 decimals; a threshold as the user wrote it (up to 4).
const measured = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const limit = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

/** One value of a metric (`seen` or a threshold, as the API's decimal string or a number). */
export function metricValue(
  metric: string,
  value: string | number | null | undefined,
  { threshold = false }: { threshold?: boolean } = {},
): string {
  if (value === null || value === undefined || value === "") return "n/a";
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const plain = threshold ? limit : measured;
  if (metric === "ctr") return `${plain.format(n * 100)}%`;
  if (metric === "audience_match_rate") return `${plain.format(n)}%`;
  if (MONEY.has(metric)) return money(n);
  if (WHOLE.has(metric)) return whole.format(n);
  return plain.format(n);
}

const OPERATORS: Record<string, string> = { ">": ">", ">=": "≥", "<": "<", "<=": "≤" };

/** "last 7 days", "today", "lifetime"; `null` for metrics that take no window. */
export function windowPhrase(metric: string, window: string): string | null {
  if (STATIC.has(metric)) return null;
  const days = /^last_(\d+)_days$/.exec(window)?.[1];
  if (days) return days === "1" ? "last day" : `last ${days} days`;
  return window;
}

export interface VerdictParts {
  /** "ROAS 0.62 < 0.8" */
  text: string;
  held: boolean;
  /** "last 7 days", or null */
  window: string | null;
  /** "any" filters: one of them holding is enough */
  any: boolean;
}

/** A filter's verdict in parts the run page sets out: "ROAS 0.62 < 0.8", ✓ or ✗, "last 7 days". */
export function verdictParts(v: Verdict): VerdictParts {
  const label = metricLabel(v.metric);
  const seen = metricValue(v.metric, v.seen);
  let condition: string;
  if (Array.isArray(v.value)) {
    const [low, high] = v.value.map((x) => metricValue(v.metric, x, { threshold: true }));
    const op = v.operator === "not_between" ? "not between" : "between";
    condition = `${op} ${low ?? "?"} and ${high ?? "?"}`;
  } else {
    const op = OPERATORS[v.operator] ?? v.operator;
    condition = `${op} ${metricValue(v.metric, v.value, { threshold: true })}`;
  }
  return {
    text: `${label} ${seen} ${condition}`,
    held: v.held,
    window: windowPhrase(v.metric, v.window),
    any: v.group === "any",
  };
}

/** The value the API keeps for an object: the first filter's that has one ("ROAS 0.62"). */
export function firstMetric(object: Pick<RunObject, "evaluation" | "metric_value">): string {
  if (object.metric_value === null) return "—";
  const first = object.evaluation.find((v) => v.seen !== null);
  if (!first) return measured.format(object.metric_value);
  return `${metricLabel(first.metric)} ${metricValue(first.metric, object.metric_value)}`;
}

function changeValue(action: RunObject["action"], value: string | null): string {
  if (value === null) return "—";
  return action.endsWith("_budget") || action.endsWith("_bid") ? money(value) : value;
}

/** The change an object got (or would get): "active → paused", "$100.00 → $120.00". */
export function changeText(
  object: Pick<RunObject, "action" | "outcome" | "old_value" | "new_value">,
): string {
  const { action, old_value: before, new_value: after } = object;
  if (action === "notify" && object.outcome === "applied") return "notification only";
  if (before === null && after === null) return "—";
  if (after === null || after === before) return changeValue(action, before);
  return `${changeValue(action, before)} → ${changeValue(action, after)}`;
}

const PLATFORM: Record<RunObject["platform_status"], string> = {
  not_applicable: "—",
  pending: "pending",
  pushing: "sending",
  succeeded: "succeeded",
  failed: "failed",
};

/** The platform push of an object's change; a real change with nothing to push is local. */
export function platformWord(
  object: Pick<RunObject, "platform_status" | "outcome" | "action">,
  dryRun: boolean,
): string {
  if (
    object.platform_status === "not_applicable" &&
    object.outcome === "applied" &&
    object.action !== "notify" &&
    !dryRun
  ) {
    return "AdScale only";
  }
  return PLATFORM[object.platform_status];
}

// An undo records each restore with the reason "undo of run <id>" (rule_run/service.py).
const UNDO_OF = /^undo of run ([0-9a-f-]{36})$/i;

/** The run an undo run put back, read from its objects' reasons; null for other runs. */
export function undoneRunId(
  run: Pick<Run, "trigger">,
  objects: readonly Pick<RunObject, "reason">[],
): string | null {
  if (run.trigger !== "undo") return null;
  for (const o of objects) {
    const id = UNDO_OF.exec(o.reason)?.[1];
    if (id) return id;
  }
  return null;
}

/** Whether a push is still under way (the run page then re-reads the run now and then). */
export function pushInFlight(objects: readonly Pick<RunObject, "platform_status">[]): boolean {
  return objects.some((o) => o.platform_status === "pending" || o.platform_status === "pushing");
}
