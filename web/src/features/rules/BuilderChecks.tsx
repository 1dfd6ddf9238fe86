import { type ReactNode, useId } from "react";

interface BuilderChecksProps<T extends string> {
  legend: string;
  options: readonly (readonly [T, string])[];
  value: readonly T[];
  onChange: (next: T[]) => void;
  hint?: ReactNode;
  error?: string | undefined;
}

/** A group of checkboxes holding a list of values (statuses, platforms, days, hours). */
export function BuilderChecks<T extends string>(props: BuilderChecksProps<T>) {
  const { legend, options, value, onChange, hint, error } = props;
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].join(" ").trim();
  return (
    <fieldset aria-describedby={describedBy || undefined}>
      <legend>{legend}</legend>
      <div className="checks">
        {options.map(([option, label]) => (
          <label key={option}>
            <input
              type="checkbox"
              checked={value.includes(option)}
              onChange={(event) =>
                onChange(
                  event.target.checked ? [...value, option] : value.filter((v) => v !== option),
                )
              }
            />{" "}
            {label}
          </label>
        ))}
      </div>
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}
