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
