// Offset pagination as the API does it (`offset`, `limit`; answers carry `total`).

export const PAGE_SIZE = 20;

export function pageFromSearch(value: string | null): number {
  const page = Number.parseInt(value ?? "1", 10);
  return Number.isFinite(page) && page >= 1 ? page : 1;
}

export function offsetOf(page: number, size: number = PAGE_SIZE): number {
  return (page - 1) * size;
}

export function pageCount(total: number, size: number = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / size));
}

/** The API's largest page (`limit` ≤ 200). */
export const MAX_LIMIT = 200;

interface Page<T> {
  items: T[];
  total: number;
}

/** Every item of a paginated list, page after page (at most `cap` items). */
export async function collectPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  cap: number = 2000,
): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; offset < cap; offset += MAX_LIMIT) {
    const page = await fetchPage(offset, MAX_LIMIT);
    items.push(...page.items);
    if (page.items.length === 0 || offset + MAX_LIMIT >= page.total) break;
  }
  return items.slice(0, cap);
}

/** A list's query filter for a name search: none while the search box is empty. */
export function nameContains(search: string): { name_contains?: string } {
  return search ? { name_contains: search } : {};
}

/**
 * `placeholderData` for a paged list whose query key is `key`: the page shown stays while the
 * next one loads, as long as the keys differ only at the positions in `free` (the page number,
 * say); another list's, filter's or search's answers never stand in for this one's.
 */
export function previousPageOf<T>(key: readonly unknown[], free: number | readonly number[]) {
  const mayDiffer = new Set(typeof free === "number" ? [free] : free);
  return (previous: T | undefined, query?: { queryKey: readonly unknown[] }): T | undefined => {
    const before = query?.queryKey;
    if (!before || before.length !== key.length) return undefined;
    const same = before.every((part, i) => mayDiffer.has(i) || Object.is(part, key[i]));
    return same ? previous : undefined;
  };
}
