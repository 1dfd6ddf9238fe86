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
