import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { detailFallback } from "../../components/DetailGate";
import { Field, FormError } from "../../components/Field";
import { Pagination } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { dateTime } from "../../lib/format";
import { PAGE_SIZE } from "../../lib/pagination";
import {
  useDeleteWebhook,
  useDeliveries,
  useTestWebhook,
  useWebhook,
  WEBHOOK_EVENTS,
  type WebhookEvent,
} from "./queries";
import { WebhookControls } from "./WebhookControls";

function TestSend({ id, events }: { id: string; events: string[] }) {
  const send = useTestWebhook(id);
  const [event, setEvent] = useState<WebhookEvent>((events[0] as WebhookEvent) ?? "rule.executed");
  const result = send.data;
  return (
    <form
      className="panel"
      aria-labelledby="test-send-title"
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate(event);
      }}
    >
      <h2 id="test-send-title">Send a test</h2>
      <Field label="Sample event">
        {(p) => (
          <select {...p} value={event} onChange={(e) => setEvent(e.target.value as WebhookEvent)}>
            {WEBHOOK_EVENTS.map((e) => (
              <option key={e.id} value={e.id}>
                {e.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {result ? (
        <p role="status" className={result.success ? "" : "form-error"}>
          {result.success ? "Delivered" : "Not delivered"}: {result.response_code ?? "no answer"}
          {result.latency_ms === null ? "" : ` in ${result.latency_ms} ms`}
          {result.error ? ` (${result.error})` : ""}
        </p>
      ) : null}
      <FormError message={send.error ? errorMessage(send.error) : undefined} />
      <button type="submit" className="button primary" disabled={send.isPending}>
        {send.isPending ? "Sending…" : "Send test"}
      </button>
    </form>
  );
}

function Deliveries({ id }: { id: string }) {
  const [page, setPage] = useState(1);
  const deliveries = useDeliveries(id, page);
  if (deliveries.isPending) return <Loading label="Loading deliveries…" />;
  if (deliveries.error) {
    return <ErrorState error={deliveries.error} retry={() => deliveries.refetch()} />;
  }
  if (deliveries.data.deliveries.length === 0) return <Empty title="No deliveries yet" />;
  return (
    <>
      <table>
        <caption className="muted">Delivery log ({deliveries.data.total})</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data.deliveries.map((d) => (
            <tr key={d.id}>
              <td>
                {d.event}
                {d.test ? (
                  <>
                    {" "}
                    <span className="badge">test</span>
                  </>
                ) : null}
              </td>
              <td>
                {d.status}
                {d.next_retry_at ? ` · next try ${dateTime(d.next_retry_at)}` : ""}
              </td>
              <td>{dateTime(d.created_at)}</td>
              <td>
                <ol className="attempts">
                  {d.attempts.map((a) => (
                    <li key={a.attempt}>
                      Attempt {a.attempt}, {dateTime(a.attempted_at)}:{" "}
                      {a.response_code ?? "no answer"}
                      {a.latency_ms === null ? "" : `, ${a.latency_ms} ms`}
                      {a.error ? `, ${a.error}` : ""}
                    </li>
                  ))}
                </ol>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={page} total={deliveries.data.total} size={PAGE_SIZE} onPage={setPage} />
    </>
  );
}

export default function WebhookPage() {
  const id = useParams().webhookId ?? "";
  const hook = useWebhook(id);
  const remove = useDeleteWebhook();
  const navigate = useNavigate();
  const fallback = detailFallback(hook, {
    loading: "Loading webhook…",
    notFound: "Webhook not found",
    back: { to: "/webhooks", label: "Back to webhooks" },
  });
  if (fallback || !hook.data) return fallback;
  const w = hook.data;
  return (
    <>
      <div className="page-head">
        <h1>Webhook</h1>
        <div className="actions">
          <ConfirmDialog
            trigger="Delete webhook"
            title="Delete this webhook?"
            confirm="Delete webhook"
            pending={remove.isPending}
            error={remove.error ? errorMessage(remove.error) : undefined}
            onConfirm={(close) =>
              remove.mutate(id, {
                onSuccess: () => {
                  close();
                  navigate("/webhooks", { replace: true });
                },
              })
            }
          >
            <p>Nothing more is sent to {w.url}; its delivery log goes with it.</p>
          </ConfirmDialog>
        </div>
      </div>
      <dl className="facts">
        <dt>URL</dt>
        <dd>{w.url}</dd>
        <dt>Events</dt>
        <dd>{w.events.join(", ")}</dd>
        <dt>Created</dt>
        <dd>{dateTime(w.created_at)}</dd>
      </dl>
      <WebhookControls webhook={w} />
      <TestSend id={id} events={w.events} />
      <section aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Deliveries</h2>
        <Deliveries id={id} />
      </section>
    </>
  );
}
