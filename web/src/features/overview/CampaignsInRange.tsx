import { Link } from "react-router";
import { NumHeaders } from "../../components/NumHeaders";
import { count, counted, money, ratio } from "../../lib/format";
import type { CampaignTotals } from "./queries";

/** Each campaign's totals over the range, most spend first. */
export function CampaignsInRange({ campaigns }: { campaigns: CampaignTotals[] }) {
  return (
    <section aria-labelledby="campaigns-in-range-title">
      <h2 id="campaigns-in-range-title">Campaigns in this range</h2>
      <table>
        <caption className="muted">
          {counted(campaigns.length, "campaign")} with metrics, most spend first
        </caption>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <NumHeaders labels={["Spend", "Revenue", "ROAS", "Conversions", "CPA"]} />
          </tr>
        </thead>
        <tbody>
          {campaigns.map(({ id, name, totals }) => (
            <tr key={id}>
              <td>
                <Link to={`/campaigns/${id}`}>{name}</Link>
              </td>
              <td className="num">{money(totals.spend)}</td>
              <td className="num">{money(totals.revenue)}</td>
              <td className="num">{ratio(totals.roas)}</td>
              <td className="num">{count(totals.conversions)}</td>
              <td className="num">{money(totals.cpa)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
