import { lazy, Suspense } from "react";
import type { DailyPoint } from "../lib/metrics";
import { Loading } from "./States";

const DailyChart = lazy(() => import("./DailyChart"));

export function LazyDailyChart(props: { points: DailyPoint[]; title: string }) {
  return (
    <Suspense fallback={<Loading label="Loading chart…" />}>
      <DailyChart {...props} />
    </Suspense>
  );
}
