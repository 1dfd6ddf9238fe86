import type { ReactNode } from "react";
import { Pagination } from "../../components/Pagination";
import { ErrorState, Loading } from "../../components/States";
import { PAGE_SIZE } from "../../lib/pagination";

export interface PickerItem {
  id: string;
  label: string;
  /** Shown muted after the label, in brackets: "paused", "Retargeting, active". */
  detail: string;
}

interface PickerPage {
  isPending: boolean;
  error: Error | null;
  refetch: () => unknown;
  data?: { items: PickerItem[]; total: number } | undefined;
}

interface BuilderPickerProps {
  legend: string;
  hint: ReactNode;
  /** Plural, lower case: "campaigns", "ad groups". */
  noun: string;
  list: PickerPage;
  page: number;
  onPage: (page: number) => void;
  value: readonly string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}

/** Objects ticked from the user's list a page at a time (the builder's campaign and ad-group
 * pickers), with a way to untick them all and the form's error under them. */
export function BuilderPicker(props: BuilderPickerProps) {
  const { legend, hint, noun, list, page, onPage, value, onChange, error } = props;
  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...value, id] : value.filter((v) => v !== id));
  return (
    <fieldset>
      <legend>{legend}</legend>
      <p className="hint">{hint}</p>
      {list.isPending ? <Loading label={`Loading ${noun}…`} /> : null}
      {list.error ? <ErrorState error={list.error} retry={() => list.refetch()} /> : null}
      {list.data && list.data.items.length === 0 ? <p className="muted">No {noun} yet.</p> : null}
      {list.data && list.data.items.length > 0 ? (
        <>
          <div className="checks">
            {list.data.items.map((item) => (
              <label key={item.id}>
                <input
                  type="checkbox"
                  checked={value.includes(item.id)}
                  onChange={(event) => toggle(item.id, event.target.checked)}
                />{" "}
                {item.label} <span className="muted">({item.detail})</span>
              </label>
            ))}
          </div>
          <Pagination page={page} total={list.data.total} size={PAGE_SIZE} onPage={onPage} />
        </>
      ) : null}
      {value.length > 0 ? (
        <button type="button" className="button secondary" onClick={() => onChange([])}>
          Untick all {noun}
        </button>
      ) : null}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}
