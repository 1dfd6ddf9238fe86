import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { dateTime } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import { useAccounts, useConnectAccount, useDisconnectAccount } from "./queries";

const schema = z.object({
  platform: z.enum(["google", "meta"], { message: "Choose a platform." }),
  account_id_external: z.string().trim().min(1, "Enter the platform's account id."),
  account_name: z.string().trim().max(255),
  access_token: z.string().trim().max(8192),
  time_zone: z.string().trim().min(1, "Enter the account's time zone, e.g. Europe/Berlin."),
});

// The IANA zones the browser knows, offered as suggestions; the API checks the value.
const TIME_ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
type Values = z.infer<typeof schema>;

function ConnectForm() {
  const connect = useConnectAccount();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      platform: "meta",
      account_id_external: "",
      account_name: "",
      access_token: "",
      time_zone: "UTC",
    },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await connect.mutateAsync({
        ...values,
        account_name: values.account_name || null,
        access_token: values.access_token || null,
      });
      form.reset();
    } catch (error) {
      applyServerError(error, form.setError, [
        "platform",
        "account_id_external",
        "account_name",
        "access_token",
        "time_zone",
      ]);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="connect-title">
      <h2 id="connect-title">Connect an ad account</h2>
      <div className="grid-2">
        <Field label="Platform" error={errors.platform?.message}>
          {(p) => (
            <select {...p} {...form.register("platform")}>
              <option value="meta">Meta</option>
              <option value="google">Google</option>
            </select>
          )}
        </Field>
        <Field label="Account id on the platform" error={errors.account_id_external?.message}>
          {(p) => <input {...p} {...form.register("account_id_external")} />}
        </Field>
        <Field label="Name" error={errors.account_name?.message}>
          {(p) => <input {...p} {...form.register("account_name")} />}
        </Field>
        <Field
          label="Time zone"
          error={errors.time_zone?.message}
          hint="The zone the account reports in: rule windows count its days."
        >
          {(p) => (
            <>
              <input {...p} list="time-zones" {...form.register("time_zone")} />
              <datalist id="time-zones">
                {TIME_ZONES.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field
          label="Access token"
          error={errors.access_token?.message}
          hint="Optional: lets AdScale fetch metrics. Stored encrypted, never shown again."
        >
          {(p) => (
            <input {...p} type="password" autoComplete="off" {...form.register("access_token")} />
          )}
        </Field>
      </div>
      <FormError message={errors.root?.server?.message} />
      <button type="submit" className="button primary" disabled={connect.isPending}>
        {connect.isPending ? "Connecting…" : "Connect"}
      </button>
    </form>
  );
}

export default function AccountsPage() {
  const page = useUrlPage();
  const accounts = useAccounts(page);
  const disconnect = useDisconnectAccount();
  return (
    <>
      <h1>Ad accounts</h1>
      <ConnectForm />
      {accounts.isPending ? <Loading label="Loading ad accounts…" /> : null}
      {accounts.error ? (
        <ErrorState error={accounts.error} retry={() => accounts.refetch()} />
      ) : null}
      {accounts.data && accounts.data.items.length === 0 ? (
        <Empty title="No ad accounts yet">
          <p>Connect your Meta or Google ad account above to create campaigns.</p>
        </Empty>
      ) : null}
      {accounts.data && accounts.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">{accounts.data.total} connected ad accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Platform</th>
                <th scope="col">Account id</th>
                <th scope="col">Status</th>
                <th scope="col">Connected</th>
                <th scope="col">
                  <span className="muted">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.items.map((account) => (
                <tr key={account.id}>
                  <td>{account.account_name ?? "—"}</td>
                  <td>{account.platform}</td>
                  <td>{account.account_id_external}</td>
                  <td>
                    <span className={`badge ${account.status}`}>{account.status}</span>
                  </td>
                  <td>{dateTime(account.connected_at)}</td>
                  <td>
                    <ConfirmDialog
                      trigger="Disconnect"
                      title={`Disconnect ${account.account_name ?? account.account_id_external}?`}
                      confirm="Disconnect"
                      pending={disconnect.isPending}
                      error={disconnect.error ? errorMessage(disconnect.error) : undefined}
                      onConfirm={(close) =>
                        disconnect.mutate(account.id, { onSuccess: () => close() })
                      }
                    >
                      <p>
                        The account is removed from AdScale together with its campaigns, their ad
                        groups, creatives and daily metrics. Nothing changes on the platform.
                      </p>
                    </ConfirmDialog>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <UrlPagination total={accounts.data.total} />
        </>
      ) : null}
    </>
  );
}
