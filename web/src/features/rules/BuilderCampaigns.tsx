import { useListSearch } from "../../components/SearchBox";
import { useCampaigns } from "../campaigns/queries";
import { BuilderPicker } from "./BuilderPicker";
import type { RuleFormValues } from "./schema";

interface BuilderCampaignsProps {
  /** At ad-group level the rule judges the ad groups of the picked campaigns. */
  level: RuleFormValues["scope"]["level"];
  value: readonly string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}

/** What the picked campaigns mean at `level`: "2 picked: only these campaigns" (no full stop). */
function campaignsHint(level: BuilderCampaignsProps["level"], picked: number): string {
  const these = picked === 1 ? "this campaign" : "these campaigns";
  if (level === "ad_group") {
    return picked === 0
      ? "None picked: the ad groups that match the rest, in every campaign"
      : `${picked} picked: only the ad groups of ${these}`;
  }
  return picked === 0
    ? "None picked: every campaign that matches the rest"
    : `${picked} picked: only ${these}`;
}

/**
 * Specific campaigns to judge (at ad-group level, whose ad groups to judge), picked from the
 * user's campaigns a page at a time, searched by name.
 */
export function BuilderCampaigns({ level, value, onChange, error }: BuilderCampaignsProps) {
  const listed = useListSearch();
  const campaigns = useCampaigns(listed.page, listed.search);
  const items = campaigns.data?.items.map((c) => ({ id: c.id, label: c.name, detail: c.status }));
  return (
    <BuilderPicker
      legend="Specific campaigns (optional)"
      hint={campaignsHint(level, value.length)}
      noun="campaigns"
      list={{ ...campaigns, data: campaigns.data && items && { ...campaigns.data, items } }}
      {...listed}
      value={value}
      onChange={onChange}
      error={error}
    />
  );
}
