import { pageCount } from "../lib/pagination";

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
