import { useListSearch } from "../../components/SearchBox";
import { BuilderPicker } from "./BuilderPicker";
import { useAllAdGroups, useCampaignNames } from "./queries";

interface BuilderAdGroupsProps {
  value: readonly string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}

/** "3 picked: only these ad groups" (no full stop: the picker adds those not shown). */
function adGroupsHint(picked: number): string {
  if (picked === 0) return "None picked: every ad group that matches the rest";
  return `${picked} picked: only ${picked === 1 ? "this ad group" : "these ad groups"}`;
}

/**
 * Specific ad groups to judge (`scope.ids` at ad-group level), picked from the user's ad groups
 * across campaigns a page at a time, searched by name; each names its campaign when known.
 */
export function BuilderAdGroups({ value, onChange, error }: BuilderAdGroupsProps) {
  const listed = useListSearch();
  const adGroups = useAllAdGroups(listed.page, listed.search);
  const campaigns = useCampaignNames();
  const items = adGroups.data?.items.map((g) => {
    const campaign = campaigns.data?.get(g.campaign_id);
    return { id: g.id, label: g.name, detail: campaign ? `${campaign}, ${g.status}` : g.status };
  });
  return (
    <BuilderPicker
      legend="Specific ad groups"
      hint={adGroupsHint(value.length)}
      noun="ad groups"
      list={{ ...adGroups, data: adGroups.data && items && { ...adGroups.data, items } }}
      {...listed}
      value={value}
      onChange={onChange}
      error={error}
    />
  );
}
