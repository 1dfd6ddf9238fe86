import { useId, useState } from "react";
import { FormError } from "../../components/Field";
import { ProgressBar } from "../../components/ProgressBar";
import { errorMessage } from "../../lib/errors";
import { count } from "../../lib/format";
import { percentOf, type UploadProgress } from "../../lib/upload";
import { type ImportResult, useImportCsv } from "./queries";

function Result({ result }: { result: ImportResult }) {
  return (
    <section aria-label="Import result" className="notice">
      <p role="status">
        {count(result.received)} rows read: {count(result.inserted)} new, {count(result.updated)}{" "}
        updated, {count(result.unchanged)} unchanged, {count(result.duplicates)} duplicates,{" "}
        {count(result.invalid)} invalid. The segment holds {count(result.profile_count)} profiles.
      </p>
      {result.invalid_samples.length > 0 ? (
        <table>
          <caption>Invalid rows (samples)</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Line
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {result.invalid_samples.map((row) => (
              <tr key={`${row.line ?? row.index}-${row.reason}`}>
                <td className="num">{row.line ?? row.index ?? "—"}</td>
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** Upload of a CSV file into a segment, with a progress bar and the import's report. */
export function CsvImport({ segmentId }: { segmentId: string }) {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [missing, setMissing] = useState(false);
  const upload = useImportCsv(segmentId, setProgress);
  return (
    <form
      className="panel"
      aria-labelledby={`${inputId}-title`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setMissing(!file);
        if (!file) return;
        setProgress({ loaded: 0, total: file.size });
        upload.mutate(file);
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
            upload.reset();
          }}
        />
        <div className="hint" id={`${inputId}-hint`}>
          A header row naming the columns: <code>external_id</code> (required), <code>email</code>,{" "}
          <code>phone</code>, <code>first_name</code>, <code>last_name</code>, <code>zip</code>,{" "}
          <code>country</code>, <code>madid</code>; other columns become traits.
        </div>
        {missing ? (
          <div className="field-error" role="alert">
            Choose a CSV file.
          </div>
        ) : null}
      </div>
      {upload.isPending || upload.isSuccess ? (
        <ProgressBar label="Upload" value={percentOf(progress)} />
      ) : null}
      <FormError message={upload.error ? errorMessage(upload.error) : undefined} />
      {upload.data ? <Result result={upload.data} /> : null}
      <button type="submit" className="button primary" disabled={upload.isPending}>
        {upload.isPending ? "Importing…" : "Import"}
      </button>
    </form>
  );
}
