// Loaded on demand (React.lazy) like components/DailyChart, whose look it shares: bars of the
// actions a backtest would have taken per day, a line of the spend they touched.
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { BacktestPoint } from "./BacktestRange";

export default function BacktestChart({
  points,
  title,
}: {
  points: BacktestPoint[];
  title: string;
}) {
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="date" />
          <YAxis yAxisId="actions" allowDecimals={false} />
          <YAxis yAxisId="spend" orientation="right" />
          <Tooltip />
          <Legend />
          <Bar
            yAxisId="actions"
            dataKey="actions"
            name="Actions"
            fill="#1d4ed8"
            isAnimationActive={false}
          />
          <Line
            yAxisId="spend"
            type="linear"
            dataKey="spend"
            name="Spend touched ($)"
            stroke="#047857"
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
