import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Field, FormError } from "../../components/Field";
import { applyServerError } from "../../lib/forms";
import { useConnectAccount } from "./queries";
import { TimeZoneField } from "./TimeZoneField";

const schema = z.object({
  platform: z.enum(["google", "meta"], { message: "Choose a platform." }),
  account_id_external: z.string().trim().min(1, "Enter the platform's account id."),
  account_name: z.string().trim().max(255),
  access_token: z.string().trim().max(8192),
  time_zone: z.string().trim().min(1, "Enter the account's time zone, e.g. Europe/Berlin."),
});

type Values = z.infer<typeof schema>;

export function ConnectForm() {
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
        <TimeZoneField
          error={errors.time_zone?.message}
          registration={form.register("time_zone")}
        />
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
