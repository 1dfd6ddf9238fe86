import { lazy, Suspense } from "react";
import type { DailyPoint } from "../lib/metrics";
import type { SeriesChartProps } from "./SeriesChart";
import { Loading } from "./States";

const load = () => import("./DailyChart");
const DailyChart = lazy(load);
const SeriesChart = lazy(() => import("./SeriesChart"));

/** Starts fetching the chart library while the page's data loads (call at module level). */
export function preloadChart(): void {
  void load();
}

export function LazyDailyChart(props: { points: DailyPoint[]; title: string }) {
  return (
    <Suspense fallback={<Loading label="Loading chart…" />}>
      <DailyChart {...props} />
    </Suspense>
  );
}

export function LazySeriesChart(props: SeriesChartProps) {
  return (
    <Suspense fallback={<Loading label="Loading chart…" />}>
      <SeriesChart {...props} />
    </Suspense>
  );
}
