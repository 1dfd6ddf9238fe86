import { type DateRange, lastDays, validRange } from "../lib/metrics";
import { Field } from "./Field";

const PRESETS = [7, 30, 90];

interface DateRangeControlProps {
  range: DateRange;
  onChange: (range: DateRange) => void;
}

/** From and To dates (why a range is refused, under From) and "Last N days" presets; the preset
 * matching the range is shown pressed. */
export function DateRangeControl({ range, onChange }: DateRangeControlProps) {
  const invalid = validRange(range);
  return (
    <div className="range">
      <Field label="From" error={invalid ?? undefined}>
        {(p) => (
          <input
            {...p}
            type="date"
            value={range.start}
            onChange={(e) => onChange({ ...range, start: e.target.value })}
          />
        )}
      </Field>
      <Field label="To">
        {(p) => (
          <input
            {...p}
            type="date"
            value={range.end}
            onChange={(e) => onChange({ ...range, end: e.target.value })}
          />
        )}
      </Field>
      {PRESETS.map((days) => {
        const preset = lastDays(days);
        return (
          <button
            key={days}
            type="button"
            className="button secondary"
            aria-pressed={preset.start === range.start && preset.end === range.end}
            onClick={() => onChange(preset)}
          >
            Last {days} days
          </button>
        );
      })}
    </div>
  );
}
