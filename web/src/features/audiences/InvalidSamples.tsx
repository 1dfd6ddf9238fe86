import type { components } from "../../api/schema";

/** Samples of the rows an import refused (or would refuse), with the line and the reason. */
export function InvalidSamples({ rows }: { rows: components["schemas"]["InvalidRow"][] }) {
  if (rows.length === 0) return null;
  return (
    <table>
      <caption>Invalid rows (samples)</caption>
      <thead>
        <tr>
          <th scope="col" className="num">
            Line
          </th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.line ?? row.index}-${row.reason}`}>
            <td className="num">{row.line ?? row.index ?? "—"}</td>
            <td>{row.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
