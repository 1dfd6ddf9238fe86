import { Link } from "react-router";
import type { components } from "../../api/schema";
import { useRangeSearch } from "../../components/DateRangeControl";
import { NumHeaders } from "../../components/NumHeaders";
import { Pagination } from "../../components/Pagination";
import { count, counted, money, ratio } from "../../lib/format";
import { PAGE_SIZE } from "../../lib/pagination";

type CampaignMetrics = components["schemas"]["CampaignMetricsRead"];

interface CampaignsInRangeProps {
  campaigns: CampaignMetrics[];
  total: number;
  page: number;
  onPage: (page: number) => void;
}

/** One page of each campaign's totals over the range, most spend first (the API's sums); each
 * links to its page, which shows the same range. */
export function CampaignsInRange({ campaigns, total, page, onPage }: CampaignsInRangeProps) {
  const search = useRangeSearch();
  return (
    <section aria-labelledby="campaigns-in-range-title">
      <h2 id="campaigns-in-range-title">Campaigns in this range</h2>
      <table>
        <caption className="muted">
          {counted(total, "campaign")} with metrics, most spend first
        </caption>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <NumHeaders labels={["Spend", "Revenue", "ROAS", "Conversions", "CPA"]} />
          </tr>
        </thead>
        <tbody>
          {campaigns.map((campaign) => (
            <tr key={campaign.campaign_id}>
              <td>
                <Link to={{ pathname: `/campaigns/${campaign.campaign_id}`, search }}>
                  {campaign.name}
                </Link>
              </td>
              <td className="num">{money(campaign.spend)}</td>
              <td className="num">{money(campaign.revenue)}</td>
              <td className="num">{ratio(campaign.roas)}</td>
              <td className="num">{count(campaign.conversions)}</td>
              <td className="num">{money(campaign.cpa)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={page} total={total} size={PAGE_SIZE} onPage={onPage} />
    </section>
  );
}
