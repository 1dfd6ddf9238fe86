import { Pagination } from "../../components/Pagination";
import { SearchBox } from "../../components/SearchBox";
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
  /** What the picks mean, without the full stop: "2 picked: only these campaigns". The picker
   * adds how many of them are not shown ("…, 1 not on this page."). */
  hint: string;
  /** Plural, lower case: "campaigns", "ad groups". */
  noun: string;
  list: PickerPage;
  page: number;
  onPage: (page: number) => void;
  /** The name searched ("" for every one); a new search starts at the first page. */
  search: string;
  onSearch: (search: string) => void;
  value: readonly string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}

/** Objects ticked from the user's list a page at a time, searched by name (the builder's
 * campaign and ad-group pickers), with a way to untick them all and the form's error under them.
 * Picks stay when the page or the search changes; those not shown are counted. */
export function BuilderPicker(props: BuilderPickerProps) {
  const { legend, hint, noun, list, page, onPage, search, onSearch, value, onChange, error } =
    props;
  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...value, id] : value.filter((v) => v !== id));
  const shown = new Set(list.data?.items.map((item) => item.id));
  const hidden = list.data ? value.filter((id) => !shown.has(id)).length : 0;
  const where = search ? "not among the matches shown" : "not on this page";
  return (
    <fieldset>
      <legend>{legend}</legend>
      <p className="hint">
        {hint}
        {hidden ? `, ${hidden} ${where}` : ""}.
      </p>
      {/* Hidden only when there is nothing to search: no search and none at all. */}
      {search || list.data?.total !== 0 ? (
        <SearchBox label={`Search ${noun} by name`} value={search} onSearch={onSearch} />
      ) : null}
      {list.isPending ? <Loading label={`Loading ${noun}…`} /> : null}
      {list.error ? <ErrorState error={list.error} retry={() => list.refetch()} /> : null}
      {list.data && list.data.items.length === 0 ? (
        <p className="muted">{search ? `No ${noun} match “${search}”.` : `No ${noun} yet.`}</p>
      ) : null}
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
