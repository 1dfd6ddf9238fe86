import { useId, useState } from "react";
import { FormError } from "../../components/Field";
import { ProgressBar } from "../../components/ProgressBar";
import { errorMessage } from "../../lib/errors";
import { count } from "../../lib/format";
import { percentOf, type UploadProgress } from "../../lib/upload";
import { ImportPreviewPanel } from "./ImportPreviewPanel";
import { InvalidSamples } from "./InvalidSamples";
import { mappingParam, type Overrides } from "./mapping";
import { type ImportPreview, type ImportResult, useImportCsv, usePreviewCsv } from "./queries";

function Result({ result }: { result: ImportResult }) {
  return (
    <section aria-label="Import result" className="notice">
      <p role="status">
        {count(result.received)} rows read: {count(result.inserted)} new, {count(result.updated)}{" "}
        updated, {count(result.unchanged)} unchanged, {count(result.duplicates)} duplicates,{" "}
        {count(result.invalid)} invalid. The segment holds {count(result.profile_count)} profiles.
      </p>
      <InvalidSamples rows={result.invalid_samples} />
    </section>
  );
}

/**
 * A CSV file into a segment in two steps: the preview (the import's dry run: how the file
 * reads, what each column becomes, with a select per column to change it), then the import
 * with the same mapping, with an upload progress bar and the import's report.
 */
export function CsvImport({ segmentId }: { segmentId: string }) {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [overrides, setOverrides] = useState<Overrides>({});
  const [stale, setStale] = useState(false);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [missing, setMissing] = useState(false);
  // The last preview that succeeded: it stays on screen while the next one runs or when it is
  // refused (a mapping that leaves no identifier), so the columns can be changed back.
  const [shown, setShown] = useState<ImportPreview | null>(null);
  const preview = usePreviewCsv(segmentId, setProgress);
  const upload = useImportCsv(segmentId, setProgress);
  const columns = shown?.columns ?? [];
  const busy = preview.isPending || upload.isPending;

  const runPreview = () => {
    setMissing(!file);
    if (!file) return;
    upload.reset();
    setStale(false);
    setProgress({ loaded: 0, total: file.size });
    preview.mutate({ file, mapping: mappingParam(columns, overrides) }, { onSuccess: setShown });
  };
  const runImport = () => {
    if (!file) return;
    setProgress({ loaded: 0, total: file.size });
    upload.mutate({ file, mapping: mappingParam(columns, overrides) });
  };

  return (
    <form
      className="panel"
      aria-labelledby={`${inputId}-title`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        runPreview();
      }}
    >
      <h2 id={`${inputId}-title`}>Import customers from CSV</h2>
      <div className="field">
        <label htmlFor={inputId}>CSV file</label>
        <input
          id={inputId}
          type="file"
          accept=".csv,text/csv"
          aria-describedby={`${inputId}-hint`}
          aria-invalid={missing}
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null);
            setMissing(false);
            setOverrides({});
            setShown(null);
            preview.reset();
            upload.reset();
          }}
        />
        <div className="hint" id={`${inputId}-hint`}>
          A header row naming the columns, as Shopify, Mailchimp, HubSpot, Klaviyo, Salesforce or
          the ad platforms export them (<code>Email Address</code>, <code>Phone Number</code>…): the
          preview shows what each column becomes and lets you change it. Without an id column people
          are keyed on their email, phone or mobile ad id; unknown columns become traits.
        </div>
        {missing ? (
          <div className="field-error" role="alert">
            Choose a CSV file.
          </div>
        ) : null}
      </div>
      {busy || upload.isSuccess ? <ProgressBar label="Upload" value={percentOf(progress)} /> : null}
      <FormError message={preview.error ? errorMessage(preview.error) : undefined} />
      {shown && !upload.data ? (
        <ImportPreviewPanel
          preview={shown}
          overrides={overrides}
          disabled={busy}
          onChoose={(header, target) => {
            setOverrides((current) => ({ ...current, [header]: target }));
            setStale(true);
          }}
        />
      ) : null}
      <FormError message={upload.error ? errorMessage(upload.error) : undefined} />
      {upload.data ? <Result result={upload.data} /> : null}
      <div className="actions">
        <button
          type="submit"
          className={shown && !stale ? "button secondary" : "button primary"}
          disabled={busy}
        >
          {preview.isPending ? "Reading…" : shown ? "Preview again" : "Preview"}
        </button>
        {shown && !upload.data ? (
          <button
            type="button"
            className="button primary"
            disabled={busy || Boolean(preview.error)}
            onClick={runImport}
          >
            {upload.isPending ? "Importing…" : "Import"}
          </button>
        ) : null}
      </div>
    </form>
  );
}
