import { Link } from "react-router";
import type { components } from "../../api/schema";
import { count, dateTime } from "../../lib/format";
import { PLATFORM_NAMES } from "./platforms";

type Audience = components["schemas"]["AudienceRead"];

export function AudienceTable({ audiences, caption }: { audiences: Audience[]; caption: string }) {
  return (
    <table>
      <caption className="muted">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Audience</th>
          <th scope="col">Platform</th>
          <th scope="col">Segment</th>
          <th scope="col">Last sync</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col" className="num">
            Match rate
          </th>
        </tr>
      </thead>
      <tbody>
        {audiences.map((a) => (
          <tr key={a.id}>
            <td>
              <Link to={`/audiences/${a.id}`}>{a.platform_audience_name}</Link>{" "}
              {a.is_active ? null : <span className="badge paused">paused</span>}
            </td>
            <td>{PLATFORM_NAMES[a.platform]}</td>
            <td>{a.segment_name}</td>
            <td>
              {a.last_sync_status ?? "never"}{" "}
              {a.last_sync_at ? `· ${dateTime(a.last_sync_at)}` : ""}
            </td>
            <td className="num">{count(a.platform_size)}</td>
            <td className="num">{a.match_rate === null ? "—" : `${a.match_rate}%`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
