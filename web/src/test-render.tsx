/** Unit tests' mount of one list page: its route at `url` in a memory router, with a query
 * client that does not retry; answers the router (to read the URL) and a user-event user. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ComponentType } from "react";
import { createMemoryRouter, type RouteObject, RouterProvider } from "react-router";

export function renderPageAt(path: string, Component: ComponentType, url: string) {
  return renderRoutesAt([{ path, Component }], url);
}

/** As `renderPageAt`, with several routes (a page and the pages its links lead to). */
export function renderRoutesAt(routes: RouteObject[], url: string) {
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { router, user: userEvent.setup() };
}
