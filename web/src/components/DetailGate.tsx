import type { ReactNode } from "react";
import { NotFound } from "./NotFound";
import { ErrorState, Loading } from "./States";

interface Loaded {
  isPending: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** What a detail page shows before its data: loading, "not found" (missing or another
 * user's), or the error with a retry; `null` once the data is there. */
export function detailFallback(
  query: Loaded,
  what: { loading: string; notFound: string; back: { to: string; label: string } },
): ReactNode | null {
  if (query.isPending) return <Loading label={what.loading} />;
  if (query.error) {
    return (
      <NotFound
        error={query.error}
        title={what.notFound}
        back={what.back}
        fallback={<ErrorState error={query.error} retry={() => query.refetch()} />}
      />
    );
  }
  return null;
}
