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
