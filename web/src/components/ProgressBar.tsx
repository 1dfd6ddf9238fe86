/** A labelled progress bar; `value` null shows an indeterminate one (size not known yet). */
export function ProgressBar({ label, value }: { label: string; value: number | null }) {
  return (
    <div className="progress">
      <label>
        {label}
        <progress
          max={100}
          value={value ?? undefined}
          aria-valuetext={value === null ? "working" : `${value}%`}
        >
          {value === null ? "" : `${value}%`}
        </progress>
      </label>
      <span className="muted" aria-hidden="true">
        {value === null ? "…" : `${value}%`}
      </span>
    </div>
  );
}
