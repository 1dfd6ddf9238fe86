import { useState } from "react";
import { Link, useParams } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { detailFallback } from "../../components/DetailGate";
import { ProgressBar } from "../../components/ProgressBar";
import { errorMessage } from "../../lib/errors";
import { count, counted, dateTime } from "../../lib/format";
import { shortHash } from "./identifier";
import { isUnderWay, type Receipt, useErasure, useLiftSuppression } from "./queries";

function LiftButton({ hash }: { hash: string }) {
  const lift = useLiftSuppression();
  const [lifted, setLifted] = useState(false);
  if (lifted) return <span role="status">let back in</span>;
  return (
    <ConfirmDialog
      trigger="Let back in…"
      title="Lift this suppression?"
      confirm="Lift"
      pending={lift.isPending}
      error={lift.error ? errorMessage(lift.error) : undefined}
      onConfirm={(close) =>
        lift.mutate(hash, {
          onSuccess: () => {
            setLifted(true);
            close();
          },
        })
      }
    >
      <p>
        Profiles carrying this identifier will be accepted again by imports and upserts (for a
        person who consented anew). The lift is logged.
      </p>
    </ConfirmDialog>
  );
}

function AudienceResults({ receipt }: { receipt: Receipt }) {
  if (receipt.audiences.length === 0) {
    return <p>The person was in no platform audience.</p>;
  }
  return (
    <table>
      <caption className="muted">Per platform audience, with every attempt</caption>
      <thead>
        <tr>
          <th scope="col">Audience</th>
          <th scope="col">Platform</th>
          <th scope="col">Profiles</th>
          <th scope="col">Result</th>
          <th scope="col">Attempts</th>
          <th scope="col">Platform's answer</th>
        </tr>
      </thead>
      <tbody>
        {receipt.audiences.map((a) => (
          <tr key={a.audience_id}>
            <td>
              <Link to={`/audiences/${a.audience_id}`}>{a.audience_name}</Link>
            </td>
            <td>{a.platform}</td>
            <td>{count(a.profiles)}</td>
            <td>{a.status}</td>
            <td>
              {a.attempts} ({a.retries} retr{a.retries === 1 ? "y" : "ies"})
            </td>
            <td>
              <code>{JSON.stringify(a.answers.at(-1)?.platform_answer ?? {})}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReceiptView({ receipt }: { receipt: Receipt }) {
  const busy = isUnderWay(receipt.status);
  return (
    <>
      <h1>Erasure receipt</h1>
      <section className="panel" aria-label="Erasure" aria-busy={busy}>
        <ProgressBar
          label={`Erasure ${receipt.status}`}
          value={busy ? null : receipt.status === "completed" ? 100 : 0}
        />
        <p role="status">
          {busy ? "Removing the person from every platform audience…" : null}
          {receipt.status === "completed"
            ? receipt.nothing_matched
              ? "Completed: AdScale held nothing about this person; the identifier is suppressed."
              : `Completed: ${counted(receipt.deleted.profiles, "profile")} deleted, removed from ${counted(receipt.audiences.length, "audience")}, ${counted(receipt.deleted.exports_revoked, "export file")} revoked.`
            : null}
          {receipt.status === "failed" ? `Failed: ${receipt.failure_reason ?? "unknown"}` : null}
        </p>
        <dl className="facts">
          <dt>Requested</dt>
          <dd>
            {receipt.requested.kind} <code>{receipt.requested.sha256}</code>
          </dd>
          <dt>Reason</dt>
          <dd>{receipt.reason ?? "—"}</dd>
          <dt>Asked</dt>
          <dd>{dateTime(receipt.requested_at)}</dd>
          <dt>Done</dt>
          <dd>{receipt.completed_at ? dateTime(receipt.completed_at) : "—"}</dd>
          <dt>Matched</dt>
          <dd>
            {counted(receipt.matched.profiles, "profile")} in{" "}
            {counted(receipt.matched.segments, "segment")}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="audiences-title">
        <h2 id="audiences-title">Platform audiences</h2>
        <AudienceResults receipt={receipt} />
      </section>
      {receipt.matched.identifiers.length > 0 ? (
        <section aria-labelledby="hashes-title">
          <h2 id="hashes-title">Suppressed identifiers (SHA-256 only)</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Suppression</th>
              </tr>
            </thead>
            <tbody>
              {receipt.matched.identifiers.map((h) => (
                <tr key={`${h.kind}:${h.sha256}`}>
                  <td>{h.kind}</td>
                  <td title={h.sha256}>
                    <code>{shortHash(h.sha256)}</code>
                  </td>
                  <td>{busy ? "—" : <LiftButton hash={h.sha256} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <p>
        <Link to="/privacy">All erasures</Link>
      </p>
    </>
  );
}

export default function ErasurePage() {
  const { erasureId = "" } = useParams();
  const receipt = useErasure(erasureId);
  const fallback = detailFallback(receipt, {
    loading: "Loading the receipt…",
    notFound: "Erasure not found",
    back: { to: "/privacy", label: "All erasures" },
  });
  return fallback ?? (receipt.data ? <ReceiptView receipt={receipt.data} /> : null);
}
