/** Unit tests' stand-in for an offset-paginated list of the API (`GET /campaigns`,
 * `GET /ad-groups`): the items whose name holds `name_contains` (any case), then `offset`
 * and `limit`, in the `{ data, response }` shape `openapi-fetch` resolves to. */
export interface ListQuery {
  offset: number;
  limit: number;
  name_contains?: string;
}

export function listAnswer<T extends { name: string }>(items: T[], query: ListQuery) {
  const { offset, limit } = query;
  const needle = query.name_contains?.toLowerCase();
  const matches = needle ? items.filter((i) => i.name.toLowerCase().includes(needle)) : items;
  const page = matches.slice(offset, offset + limit);
  return { data: { items: page, total: matches.length, offset, limit }, response: { ok: true } };
}

/** The same for the audience-sync API's page-numbered lists (`GET /cdp/segments`,
 * `GET /cdp/audience-sync/audiences`): `page` and `page_size`, the page's items under `key`.
 * `names` gives what `name_contains` is matched against (an audience: its name or its segment's). */
export interface PageQuery {
  page: number;
  page_size: number;
  name_contains?: string;
}

export function pageAnswer<K extends string, T>(
  key: K,
  items: T[],
  query: PageQuery,
  names: (item: T) => string[],
) {
  const { page, page_size } = query;
  const needle = query.name_contains?.toLowerCase();
  const matches = needle
    ? items.filter((i) => names(i).some((name) => name.toLowerCase().includes(needle)))
    : items;
  const shown = matches.slice((page - 1) * page_size, page * page_size);
  const data = { [key]: shown, total: matches.length, page, page_size } as Record<K, T[]> & {
    total: number;
    page: number;
    page_size: number;
  };
  return { data, response: { ok: true } };
}
