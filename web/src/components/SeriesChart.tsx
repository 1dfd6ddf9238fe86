// One numeric series over time; loaded on demand like DailyChart (Recharts stays lazy).
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export interface SeriesChartProps {
  points: Record<string, string | number>[];
  xKey: string;
  yKey: string;
  name: string;
  title: string;
  yMax?: number;
}

export default function SeriesChart({ points, xKey, yKey, name, title, yMax }: SeriesChartProps) {
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={xKey} />
          <YAxis domain={[0, yMax ?? "auto"]} />
          <Tooltip />
          <Line
            type="monotone"
            dataKey={yKey}
            name={name}
            stroke="#1d4ed8"
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
