import { useEffect, useId, useState } from "react";
import { useSearchParams } from "react-router";
import { useDebouncedValue } from "../lib/useDebouncedValue";

/** How long the typing must pause before the search is sent. */
export const SEARCH_DELAY_MS = 250;

interface SearchBoxProps {
  label: string;
  /** The search the list shows; the box follows it when it changes elsewhere (Back, a link). */
  value: string;
  /** A new search: once the typing pauses, at once on Enter or Clear. */
  onSearch: (value: string) => void;
  /** The API's name searches take at most 255 characters (more is a 422). */
  maxLength?: number;
  /** What the search matches, when the label alone does not say (read with the box). */
  hint?: string;
}

/** A labelled search box with a Clear button; what is typed is sent once the typing pauses. */
export function SearchBox({ label, value, onSearch, maxLength = 255, hint }: SearchBoxProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const [draft, setDraft] = useState(value);
  const [followed, setFollowed] = useState(value);
  if (value !== followed) {
    setFollowed(value);
    setDraft(value);
  }
  const settled = useDebouncedValue(draft, SEARCH_DELAY_MS);
  useEffect(() => {
    // Only a pause in the typing sends; a value changed elsewhere has already reset the draft.
    if (settled === draft && settled !== value) onSearch(settled);
  }, [settled, draft, value, onSearch]);
  return (
    <div className="search-box">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={draft}
        maxLength={maxLength}
        aria-describedby={hint ? hintId : undefined}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== "Enter") return;
          event.preventDefault(); // inside a form (the rule builder), Enter would submit it
          if (draft !== value) onSearch(draft);
        }}
      />
      {draft ? (
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setDraft("");
            if (value) onSearch("");
          }}
        >
          <span aria-hidden="true">×</span> Clear
        </button>
      ) : null}
      {hint ? (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** A list's page and name search held by the component; a new search starts at page 1. */
export function useListSearch() {
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const onSearch = (next: string) => {
    setSearch(next);
    setPage(1);
  };
  return { page, onPage: setPage, search, onSearch };
}

/**
 * The search kept in the URL (`?q=`) next to the page (`?page=`), so a reload or a shared link
 * keeps it; a new search drops the page (back to the first). Refining a search replaces the
 * history entry, so Back leaves the search instead of replaying each pause in the typing.
 */
export function useUrlSearch(): [string, (next: string) => void] {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const setSearch = (next: string) =>
    setParams(
      (current) => {
        const kept = new URLSearchParams(current);
        kept.delete("page");
        if (next) kept.set("q", next);
        else kept.delete("q");
        return kept;
      },
      { replace: Boolean(search && next) },
    );
  return [search, setSearch];
}
