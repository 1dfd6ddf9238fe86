import type { components } from "../../api/schema";
import { count } from "../../lib/format";
import { coverageRows } from "./progress";

interface Props {
  caption: string;
  coverage: components["schemas"]["IdentifierCoverage"];
  /** The people the shares are of. */
  total: number;
  noun: string;
}

/** How many of the people have each identifier (email, phone, name + ZIP, mobile ad id). */
export function CoverageTable({ caption, coverage, total, noun }: Props) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Identifier</th>
          <th scope="col" className="num">
            {noun}
          </th>
          <th scope="col" className="num">
            Share
          </th>
        </tr>
      </thead>
      <tbody>
        {coverageRows(coverage, total).map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            <td className="num">{count(row.count)}</td>
            <td className="num">{row.percent}%</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
