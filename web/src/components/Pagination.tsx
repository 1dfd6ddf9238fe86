import { useState } from "react";
import { useSearchParams } from "react-router";
import { PAGE_SIZE, pageCount, pageFromSearch } from "../lib/pagination";

interface PaginationProps {
  page: number;
  total: number;
  size: number;
  onPage: (page: number) => void;
}

export function Pagination({ page, total, size, onPage }: PaginationProps) {
  const pages = pageCount(total, size);
  if (pages <= 1) return null;
  return (
    <nav className="pagination" aria-label="Pagination">
      <button
        type="button"
        className="button secondary"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button
        type="button"
        className="button secondary"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        Next
      </button>
    </nav>
  );
}

/** A page number held by the component that goes back to 1 whenever `key` changes (a new range,
 * another campaign), whatever changed it: a control, a link, Back. */
export function usePageOf(key: string): [number, (page: number) => void] {
  const [held, setHeld] = useState({ key, page: 1 });
  if (held.key !== key) setHeld({ key, page: 1 });
  return [held.key === key ? held.page : 1, (page) => setHeld({ key, page })];
}

/** The page number kept in the URL (`?page=`), so a reload or a shared link keeps it. */
export function useUrlPage(): number {
  const [params] = useSearchParams();
  return pageFromSearch(params.get("page"));
}

/** Pagination of a list page whose page lives in the URL (its other parameters, e.g. `q`, kept). */
export function UrlPagination({ total }: { total: number }) {
  const [, setParams] = useSearchParams();
  return (
    <Pagination
      page={useUrlPage()}
      total={total}
      size={PAGE_SIZE}
      onPage={(next) =>
        setParams((current) => {
          const kept = new URLSearchParams(current);
          kept.set("page", String(next));
          return kept;
        })
      }
    />
  );
}
