import { useRouteError } from "react-router";
import { ErrorState } from "../components/States";

export function RouteError() {
  const error = useRouteError();
  return (
    <main className="content">
      <ErrorState error={error} retry={() => window.location.reload()} />
    </main>
  );
}
