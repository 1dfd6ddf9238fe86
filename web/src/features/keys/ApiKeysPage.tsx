import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import type { components } from "../../api/schema";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { ShownOnce } from "../../components/ShownOnce";
import { Empty, ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { dateTime } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from "./queries";

const schema = z.object({ name: z.string().trim().min(1, "Name the key.").max(100) });
type Created = components["schemas"]["ApiKeyCreated"];

function CreateKey({ onCreated }: { onCreated: (key: Created) => void }) {
  const create = useCreateApiKey();
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { name: "" },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async ({ name }) => {
    try {
      onCreated(await create.mutateAsync(name));
      form.reset();
    } catch (error) {
      applyServerError(error, form.setError, ["name"]);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create an API key</h2>
      <Field
        label="Key name"
        error={errors.name?.message}
        hint="For example the server that uses it."
      >
        {(p) => <input {...p} {...form.register("name")} />}
      </Field>
      <FormError message={errors.root?.server?.message} />
      <button type="submit" className="button primary" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create key"}
      </button>
    </form>
  );
}

export default function ApiKeysPage() {
  const page = useUrlPage();
  const keys = useApiKeys(page);
  const revoke = useRevokeApiKey();
  // The raw key exists only in this page's memory, once: the API never returns it again.
  const [created, setCreated] = useState<Created | null>(null);
  return (
    <>
      <h1>API keys</h1>
      <p className="muted">
        Keys call the API from your servers with the <code>X-API-Key</code> header (Pro and
        Enterprise plans).
      </p>
      <CreateKey onCreated={setCreated} />
      {created ? (
        <ShownOnce
          title={`Your new key “${created.name}”`}
          value={created.key}
          copyLabel="Copy key"
          testId="raw-key"
          onDone={() => setCreated(null)}
        >
          <p>Copy it now: it is shown only once.</p>
        </ShownOnce>
      ) : null}
      {keys.isPending ? <Loading label="Loading API keys…" /> : null}
      {keys.error ? <ErrorState error={keys.error} retry={() => keys.refetch()} /> : null}
      {keys.data && keys.data.items.length === 0 ? <Empty title="No API keys yet" /> : null}
      {keys.data && keys.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">{keys.data.total} active keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="muted">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{dateTime(key.created_at)}</td>
                  <td>{key.last_used_at ? dateTime(key.last_used_at) : "never"}</td>
                  <td>
                    <ConfirmDialog
                      trigger="Revoke"
                      title={`Revoke ${key.name}?`}
                      confirm="Revoke key"
                      pending={revoke.isPending}
                      error={revoke.error ? errorMessage(revoke.error) : undefined}
                      onConfirm={(close) => revoke.mutate(key.id, { onSuccess: () => close() })}
                    >
                      <p>Requests with this key are refused from now on. This cannot be undone.</p>
                    </ConfirmDialog>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <UrlPagination total={keys.data.total} />
        </>
      ) : null}
    </>
  );
}
