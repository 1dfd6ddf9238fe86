import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { z } from "zod";
import type { components } from "../../api/schema";
import { Field, FormError } from "../../components/Field";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { ShownOnce } from "../../components/ShownOnce";
import { Empty, ErrorState, Loading } from "../../components/States";
import { dateTime } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import { useCreateWebhook, useWebhooks, WEBHOOK_EVENTS, type WebhookEvent } from "./queries";
import { stateLabel } from "./state";

const schema = z.object({
  url: z
    .string()
    .trim()
    .min(1, "Enter the receiver's URL.")
    .regex(/^https?:\/\/\S+$/, "An http(s) URL, like https://example.com/hooks."),
  events: z.array(z.string()).min(1, "Choose at least one event."),
  description: z.string().trim().max(500),
});
type Created = components["schemas"]["WebhookCreated"];

function CreateWebhook({ onCreated }: { onCreated: (created: Created) => void }) {
  const create = useCreateWebhook();
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { url: "", events: WEBHOOK_EVENTS.map((e) => e.id), description: "" },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      onCreated(
        await create.mutateAsync({
          url: values.url,
          events: values.events as WebhookEvent[],
          description: values.description || null,
        }),
      );
      form.reset();
    } catch (error) {
      applyServerError(error, form.setError, ["url", "events", "description"]);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="new-webhook-title">
      <h2 id="new-webhook-title">Add a webhook</h2>
      <Field label="Receiver URL" error={errors.url?.message}>
        {(p) => <input {...p} type="url" {...form.register("url")} />}
      </Field>
      <fieldset>
        <legend>Events</legend>
        <div className="checks">
          {WEBHOOK_EVENTS.map((e) => (
            <label key={e.id}>
              <input type="checkbox" value={e.id} {...form.register("events")} /> {e.label}
            </label>
          ))}
        </div>
        {errors.events ? (
          <div className="field-error" role="alert">
            {errors.events.message}
          </div>
        ) : null}
      </fieldset>
      <Field label="Description" error={errors.description?.message}>
        {(p) => <input {...p} {...form.register("description")} />}
      </Field>
      <FormError message={errors.root?.server?.message} />
      <button type="submit" className="button primary" disabled={create.isPending}>
        {create.isPending ? "Adding…" : "Add webhook"}
      </button>
    </form>
  );
}

export default function WebhooksPage() {
  const page = useUrlPage();
  const hooks = useWebhooks(page);
  // The signing secret exists only in this page's memory, once: the API never shows it again.
  const [created, setCreated] = useState<Created | null>(null);
  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">
        Signed (Standard Webhooks) POSTs to your server when syncs finish or rules act.
      </p>
      <CreateWebhook onCreated={setCreated} />
      {created ? (
        <ShownOnce
          title={`Signing secret of ${created.url}`}
          value={created.secret}
          copyLabel="Copy secret"
          testId="webhook-secret"
          onDone={() => setCreated(null)}
        >
          <p>Copy it now: it is shown only once. Verify each request's signature with it.</p>
        </ShownOnce>
      ) : null}
      {hooks.isPending ? <Loading label="Loading webhooks…" /> : null}
      {hooks.error ? <ErrorState error={hooks.error} retry={() => hooks.refetch()} /> : null}
      {hooks.data && hooks.data.webhooks.length === 0 ? <Empty title="No webhooks yet" /> : null}
      {hooks.data && hooks.data.webhooks.length > 0 ? (
        <>
          <table>
            <caption className="muted">{hooks.data.total} webhooks</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {hooks.data.webhooks.map((w) => (
                <tr key={w.id}>
                  <td>
                    <Link to={`/webhooks/${w.id}`}>{w.url}</Link>
                  </td>
                  <td>{w.events.join(", ")}</td>
                  <td>{stateLabel(w)}</td>
                  <td>{dateTime(w.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <UrlPagination total={hooks.data.total} />
        </>
      ) : null}
    </>
  );
}
