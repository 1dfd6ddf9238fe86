import { count } from "../../lib/format";
import { CoverageTable } from "./CoverageTable";
import { InvalidSamples } from "./InvalidSamples";
import { DECIDED_BY, type Overrides, targetOptions } from "./mapping";
import type { ImportPreview } from "./queries";

interface Props {
  preview: ImportPreview;
  overrides: Overrides;
  onChoose: (header: string, target: string) => void;
  disabled: boolean;
}

/**
 * The dry run's answer: how the file was read, what each column becomes (a select per column
 * to change it), the people it holds and their identifiers, the rows it would refuse.
 */
export function ImportPreviewPanel({ preview, overrides, onChoose, disabled }: Props) {
  const d = preview.dialect;
  return (
    <section aria-label="Import preview" className="notice">
      <p role="status">
        Preview (nothing imported yet): {count(preview.received)} rows read, {count(preview.people)}{" "}
        people ({count(preview.new_people)} new, {count(preview.existing_people)} already in the
        segment), {count(preview.duplicates)} repeated rows, {count(preview.invalid)} invalid.
      </p>
      <p className="muted">
        Read as {d.encoding}
        {d.bom ? " with a byte-order mark" : ""}, {d.delimiter_name}-separated, {d.line_ending} line
        ends{d.compression ? `, ${d.compression}` : ""}
        {d.skipped_lines ? `, ${d.skipped_lines} comment line(s) skipped` : ""}.
      </p>
      <table>
        <caption>Columns</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Detected as</th>
            <th scope="col">Import as</th>
          </tr>
        </thead>
        <tbody>
          {preview.columns.map((column) => {
            const named = column.header.trim() !== "";
            const label = named ? column.header : `Column ${column.position + 1}`;
            return (
              <tr key={column.position}>
                <th scope="row">{label}</th>
                <td>
                  {column.target} <span className="muted">({DECIDED_BY[column.decided_by]})</span>
                </td>
                <td>
                  <select
                    aria-label={`Import ${label} as`}
                    value={overrides[column.header] ?? column.target}
                    disabled={disabled || !named}
                    onChange={(event) => onChoose(column.header, event.target.value)}
                  >
                    {targetOptions(column).map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <CoverageTable
        caption="Identifiers of the people found"
        coverage={preview.identifier_coverage}
        total={preview.people}
        noun="People"
      />
      <InvalidSamples rows={preview.invalid_samples} />
    </section>
  );
}
