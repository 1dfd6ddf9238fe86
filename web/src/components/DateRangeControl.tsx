import { useSearchParams } from "react-router";
import { type DateRange, lastDays, rangeFromSearch, rangeSearch, validRange } from "../lib/metrics";
import { Field } from "./Field";

const PRESETS = [7, 30, 90];

/** The preset ("Last N days") the range is today, or null. */
function presetOf(range: DateRange): number | null {
  return (
    PRESETS.find((days) => {
      const preset = lastDays(days);
      return preset.start === range.start && preset.end === range.end;
    }) ?? null
  );
}

/** A (valid) range in words: "Last 30 days" when it is a preset, else its dates. */
export function rangeLabel(range: DateRange): string {
  const days = presetOf(range);
  return days === null ? `${range.start} to ${range.end}` : `Last ${days} days`;
}

interface DateRangeControlProps {
  range: DateRange;
  onChange: (range: DateRange) => void;
}

/** From and To dates (why a range is refused, under From) and "Last N days" presets; the preset
 * matching the range is shown pressed. */
export function DateRangeControl({ range, onChange }: DateRangeControlProps) {
  const invalid = validRange(range);
  const pressed = presetOf(range);
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
      {PRESETS.map((days) => (
        <button
          key={days}
          type="button"
          className="button secondary"
          aria-pressed={pressed === days}
          onClick={() => onChange(lastDays(days))}
        >
          Last {days} days
        </button>
      ))}
    </div>
  );
}

/**
 * The range kept in the URL (`?from=YYYY-MM-DD&to=YYYY-MM-DD`) beside the page's other parameters,
 * so a reload or a shared link shows it; absent, the last `defaultDays` days (and choosing those
 * drops it again). A reversed range in the URL is shown as it is and a malformed date as an empty
 * one, for the control to say why the range is refused. Changes replace the history entry: editing
 * a date is not a step to go Back through.
 */
export function useUrlRange(defaultDays = 30): [DateRange, (next: DateRange) => void] {
  const [params, setParams] = useSearchParams();
  const fallback = lastDays(defaultDays);
  const range = rangeFromSearch(params.get("from"), params.get("to"), fallback);
  const setRange = (next: DateRange) =>
    setParams(
      (current) => {
        const kept = new URLSearchParams(current);
        if (next.start === fallback.start && next.end === fallback.end) {
          kept.delete("from");
          kept.delete("to");
        } else {
          kept.set("from", next.start);
          kept.set("to", next.end);
        }
        return kept;
      },
      { replace: true },
    );
  return [range, setRange];
}

/**
 * The search (`?from=…&to=…`, or "") that carries this URL's range along a link to another page
 * showing one (the Overview, the Campaigns list, a campaign's page), as Ads Manager keeps the range
 * from tab to tab. Only a valid range the URL names is carried: a page at its default links to
 * pages at theirs (the same last 30 days).
 */
export function useRangeSearch(): string {
  const [params] = useSearchParams();
  return rangeSearch(params.get("from"), params.get("to"));
}
