import { useState } from "react";
import type { components } from "../../api/schema";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { ShownOnce } from "../../components/ShownOnce";
import { errorMessage } from "../../lib/errors";
import { dateTime } from "../../lib/format";
import { useRotateWebhookSecret, useSetWebhookEnabled } from "./queries";
import { previousSecretValid, stateSentence } from "./state";

type Webhook = components["schemas"]["WebhookRead"];
type Rotated = components["schemas"]["SecretRotated"];

function toggleLabel(enabled: boolean, pending: boolean): string {
  if (pending) return enabled ? "Disabling…" : "Enabling…";
  return enabled ? "Disable" : "Enable";
}

/** A subscription's state with Enable/Disable, and the rotation of its signing secret. */
export function WebhookControls({ webhook: w }: { webhook: Webhook }) {
  const toggle = useSetWebhookEnabled(w.id);
  const rotate = useRotateWebhookSecret(w.id);
  // Like the secret at creation: only in this page's memory, once.
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const overlap = previousSecretValid(w.previous_secret_expires_at);
  return (
    <>
      <section className="panel" aria-labelledby="webhook-state-title">
        <h2 id="webhook-state-title">State and signing secret</h2>
        <p role="status">
          <span className={`badge ${w.enabled ? "active" : "paused"}`}>
            {w.enabled ? "enabled" : "disabled"}
          </span>{" "}
          {stateSentence(w)}
        </p>
        {!w.enabled && w.disabled_reason !== "manual" ? (
          <p className="hint">Send a test to check the receiver answers, then enable it again.</p>
        ) : null}
        <p className="hint">
          {overlap
            ? `Deliveries are signed with the new secret and, until ${dateTime(w.previous_secret_expires_at)}, also with the previous one.`
            : "Deliveries are signed with the secret shown when it was added or last rotated."}
        </p>
        <FormError message={toggle.error ? errorMessage(toggle.error) : undefined} />
        <div className="actions">
          <button
            type="button"
            className="button secondary"
            disabled={toggle.isPending}
            onClick={() => toggle.mutate(!w.enabled)}
          >
            {toggleLabel(w.enabled, toggle.isPending)}
          </button>
          <ConfirmDialog
            trigger="Rotate secret"
            title="Rotate the signing secret?"
            confirm="Rotate secret"
            pending={rotate.isPending}
            error={rotate.error ? errorMessage(rotate.error) : undefined}
            onConfirm={(close) =>
              rotate.mutate(undefined, {
                onSuccess: (result) => {
                  setRotated(result);
                  close();
                },
              })
            }
          >
            <p>
              A new secret signs every delivery from now on: your receiver must verify with it. The
              current secret keeps signing alongside it for a grace period only, so update the
              receiver before it ends.
            </p>
          </ConfirmDialog>
        </div>
      </section>
      {rotated ? (
        <ShownOnce
          title="New signing secret"
          value={rotated.secret}
          copyLabel="Copy secret"
          testId="rotated-secret"
          onDone={() => setRotated(null)}
        >
          <p>Copy it now: it is shown only once. Deliveries are signed with it from now on.</p>
          <p>
            {rotated.previous_secret_expires_at
              ? `The previous secret stays valid until ${dateTime(rotated.previous_secret_expires_at)}: until then each delivery carries both signatures.`
              : "The previous secret no longer signs anything: update your receiver now."}
          </p>
        </ShownOnce>
      ) : null}
    </>
  );
}
