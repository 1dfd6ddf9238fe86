import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, useNavigate } from "react-router";
import { z } from "zod";
import { Field, FormError } from "../../components/Field";
import { ErrorState, Loading } from "../../components/States";
import { applyServerError } from "../../lib/forms";
import { PLATFORM_NAMES, PLATFORMS } from "./platforms";
import { type Platform, useCreateAudience, usePlatforms } from "./queries";

const schema = z.object({
  platform: z.string().refine((v) => PLATFORMS.includes(v as Platform), "Choose a platform."),
  ad_account_id: z.string().min(1, "Choose an ad account."),
  audience_name: z.string().trim().min(1, "Name the audience.").max(255),
  auto_sync: z.boolean(),
  sync_interval_hours: z
    .string()
    .regex(/^\d{1,3}$/, "Enter whole hours.")
    .refine((v) => Number(v) >= 1 && Number(v) <= 168, "1 to 168 hours (a week)."),
  additive_only: z.boolean(),
  limited_data_use: z.boolean(),
});
type Values = z.infer<typeof schema>;

/** Pushes a segment to a connected platform as a new custom audience (with its first sync). */
export function CreateAudience({
  segmentId,
  segmentName,
}: {
  segmentId: string;
  segmentName: string;
}) {
  const platforms = usePlatforms();
  const create = useCreateAudience();
  const navigate = useNavigate();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      platform: "",
      ad_account_id: "",
      audience_name: segmentName,
      auto_sync: true,
      sync_interval_hours: "24",
      additive_only: false,
      limited_data_use: false,
    },
  });
  const { errors } = form.formState;
  const chosen = form.watch("platform");
  if (platforms.isPending) return <Loading label="Loading platform connections…" />;
  if (platforms.error) {
    return <ErrorState error={platforms.error} retry={() => platforms.refetch()} />;
  }
  const connected = platforms.data.platforms.filter((p) => p.connected);
  const accounts = connected.find((p) => p.platform === chosen)?.ad_accounts ?? [];
  const submit = form.handleSubmit(async (values) => {
    try {
      const created = await create.mutateAsync({
        ...values,
        platform: values.platform as Platform,
        sync_interval_hours: Number(values.sync_interval_hours),
        limited_data_use: values.platform === "meta" && values.limited_data_use,
        segment_id: segmentId,
      });
      navigate(`/audiences/${created.audience.id}`, {
        state: { jobId: created.initial_sync.job_id },
      });
    } catch (error) {
      applyServerError(error, form.setError, [
        "platform",
        "ad_account_id",
        "audience_name",
        "sync_interval_hours",
      ]);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="new-audience-title">
      <h2 id="new-audience-title">Create an audience from this segment</h2>
      {connected.length === 0 ? (
        <p>
          No platform is connected yet: <Link to="/audiences">connect one</Link> first.
        </p>
      ) : (
        <>
          <div className="grid-2">
            <Field label="Platform" error={errors.platform?.message}>
              {(p) => (
                <select {...p} {...form.register("platform")}>
                  <option value="">Choose…</option>
                  {connected.map((c) => (
                    <option key={c.platform} value={c.platform}>
                      {PLATFORM_NAMES[c.platform]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Platform ad account" error={errors.ad_account_id?.message}>
              {(p) => (
                <select {...p} {...form.register("ad_account_id")}>
                  <option value="">Choose…</option>
                  {accounts.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name} ({a.id})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Audience name" error={errors.audience_name?.message}>
              {(p) => <input {...p} {...form.register("audience_name")} />}
            </Field>
            <Field
              label="Sync every (hours)"
              error={errors.sync_interval_hours?.message}
              hint="When automatic sync is on."
            >
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={1}
                  max={168}
                  {...form.register("sync_interval_hours")}
                />
              )}
            </Field>
          </div>
          <div className="checks">
            <label>
              <input type="checkbox" {...form.register("auto_sync")} /> Sync automatically
            </label>
            <label>
              <input type="checkbox" {...form.register("additive_only")} /> Only add people (never
              remove on update)
            </label>
            {chosen === "meta" && (
              <label>
                <input type="checkbox" {...form.register("limited_data_use")} /> Limited Data Use on
                every row (Meta's processing option for US state privacy laws)
              </label>
            )}
          </div>
          <FormError message={errors.root?.server?.message} />
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? "Creating and syncing…" : "Create audience"}
          </button>
        </>
      )}
    </form>
  );
}
