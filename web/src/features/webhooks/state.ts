// How a subscription's state reads: short in the list, a sentence on its page.
import type { components } from "../../api/schema";
import { dateTime } from "../../lib/format";

type Webhook = Pick<
  components["schemas"]["WebhookRead"],
  "enabled" | "disabled_reason" | "disabled_at"
>;

const REASONS = {
  manual: "Turned off by you",
  gone: "Turned off because the receiver answered 410 Gone",
  failing: "Turned off after its deliveries kept failing",
} as const;

/** "enabled", "disabled (manual)", "disabled (failing)" … for the list. */
export function stateLabel(w: Webhook): string {
  return w.enabled ? "enabled" : `disabled (${w.disabled_reason ?? "manual"})`;
}

/** What the state means, as a sentence for the subscription's page. */
export function stateSentence(w: Webhook): string {
  if (w.enabled) return "Events are delivered to this URL.";
  const when = w.disabled_at ? ` on ${dateTime(w.disabled_at)}` : "";
  return `${REASONS[w.disabled_reason ?? "manual"]}${when}: nothing is sent until it is enabled again.`;
}

/** Whether the secret from before the last rotation still signs deliveries at `now`. */
export function previousSecretValid(expiresAt: string | null, now: Date = new Date()): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() > now.getTime();
}
