import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, useSearchParams } from "react-router";
import { z } from "zod";
import { Field, FormError } from "../../components/Field";
import { ProgressBar } from "../../components/ProgressBar";
import { Empty, ErrorState, Loading } from "../../components/States";
import { count, dateTime } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import { useExport, useSegmentChoices, useStartExport } from "./queries";

const schema = z.object({
  segment_id: z.string().min(1, "Choose a segment."),
  format: z.enum(["csv", "jsonl"]),
  hash: z.boolean(),
  platform: z.enum(["meta", "google", "tiktok", "snapchat"]),
  include_traits: z.boolean(),
});
type Values = z.infer<typeof schema>;

function ExportStatus({ id }: { id: string }) {
  const job = useExport(id);
  if (job.isPending) return <Loading label="Loading the export…" />;
  if (job.error) return <ErrorState error={job.error} retry={() => job.refetch()} />;
  const e = job.data;
  return (
    <section className="panel" aria-label="Export" aria-busy={e.status === "processing"}>
      <h2>Export of {count(e.profile_count)} profiles</h2>
      <ProgressBar
        label={`Export ${e.status}`}
        value={e.status === "processing" ? null : e.status === "completed" ? 100 : 0}
      />
      <p role="status">
        {e.status === "processing" ? "Writing the file…" : null}
        {e.status === "completed"
          ? `Ready: ${count(e.file_size_bytes)} bytes, ${e.format.toUpperCase()}, link valid until ${dateTime(e.expires_at)}.`
          : null}
        {e.status === "failed" ? `Failed: ${e.error?.message ?? "unknown error"}` : null}
      </p>
      {e.status === "completed" && e.download_url ? (
        <a className="button primary" href={e.download_url} download>
          Download {e.format.toUpperCase()}
        </a>
      ) : null}
      {e.status === "completed" && !e.download_url ? (
        <p className="muted">The file has expired: start a new export.</p>
      ) : null}
    </section>
  );
}

export default function ExportsPage() {
  const segments = useSegmentChoices();
  const start = useStartExport();
  const [params, setParams] = useSearchParams();
  const current = params.get("export");
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      segment_id: "",
      format: "csv",
      hash: true,
      platform: "meta",
      include_traits: false,
    },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (v) => {
    try {
      const accepted = await start.mutateAsync({
        segment_id: v.segment_id,
        format: v.format,
        options: {
          hash_identifiers: v.hash,
          platform: v.platform,
          include_traits: v.include_traits,
          include_events: false,
        },
      });
      // In the URL: a reload keeps following the same export.
      setParams({ export: accepted.export_id });
    } catch (error) {
      applyServerError(error, form.setError, ["segment_id", "format", "platform"]);
    }
  });
  return (
    <>
      <h1>Exports</h1>
      <p className="muted">
        A segment's profiles as a file, hashed by a platform's rules for a manual upload, or in
        clear.
      </p>
      {segments.isPending ? <Loading label="Loading segments…" /> : null}
      {segments.error ? (
        <ErrorState error={segments.error} retry={() => segments.refetch()} />
      ) : null}
      {segments.data && segments.data.segments.length === 0 ? (
        <Empty title="No segment to export">
          <p>
            <Link to="/segments">Create a segment</Link> first.
          </p>
        </Empty>
      ) : null}
      {segments.data && segments.data.segments.length > 0 ? (
        <form className="panel" onSubmit={submit} noValidate aria-labelledby="new-export-title">
          <h2 id="new-export-title">New export</h2>
          <div className="grid-2">
            <Field label="Segment" error={errors.segment_id?.message}>
              {(p) => (
                <select {...p} {...form.register("segment_id")}>
                  <option value="">Choose…</option>
                  {segments.data.segments.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name} ({count(s.profile_count)})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Format" error={errors.format?.message}>
              {(p) => (
                <select {...p} {...form.register("format")}>
                  <option value="csv">CSV</option>
                  <option value="jsonl">JSON Lines</option>
                </select>
              )}
            </Field>
            <Field label="Hashing rules of" error={errors.platform?.message}>
              {(p) => (
                <select {...p} {...form.register("platform")}>
                  <option value="meta">Meta</option>
                  <option value="google">Google</option>
                  <option value="tiktok">TikTok</option>
                  <option value="snapchat">Snapchat</option>
                </select>
              )}
            </Field>
          </div>
          <div className="checks">
            <label>
              <input type="checkbox" {...form.register("hash")} /> Hash identifiers (SHA-256)
            </label>
            <label>
              <input type="checkbox" {...form.register("include_traits")} /> Include traits
            </label>
          </div>
          <FormError message={errors.root?.server?.message} />
          <button type="submit" className="button primary" disabled={start.isPending}>
            {start.isPending ? "Starting…" : "Start export"}
          </button>
        </form>
      ) : null}
      {current ? <ExportStatus key={current} id={current} /> : null}
    </>
  );
}
