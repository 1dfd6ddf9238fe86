import { useState } from "react";
import { BuilderPicker } from "./BuilderPicker";
import { useAllAdGroups, useCampaignNames } from "./queries";

interface BuilderAdGroupsProps {
  value: readonly string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}

/** "3 picked: only these ad groups, 2 not on this page." */
function adGroupsHint(picked: number, elsewhere: number): string {
  if (picked === 0) return "None picked: every ad group that matches the rest.";
  const these = picked === 1 ? "this ad group" : "these ad groups";
  return `${picked} picked: only ${these}${elsewhere ? `, ${elsewhere} not on this page` : ""}.`;
}

/**
 * Specific ad groups to judge (`scope.ids` at ad-group level), picked from the user's ad groups
 * across campaigns a page at a time; each names its campaign when known.
 */
export function BuilderAdGroups({ value, onChange, error }: BuilderAdGroupsProps) {
  const [page, setPage] = useState(1);
  const adGroups = useAllAdGroups(page);
  const campaigns = useCampaignNames();
  const items = adGroups.data?.items.map((g) => {
    const campaign = campaigns.data?.get(g.campaign_id);
    return { id: g.id, label: g.name, detail: campaign ? `${campaign}, ${g.status}` : g.status };
  });
  const shown = new Set(items?.map((g) => g.id));
  const elsewhere = items ? value.filter((id) => !shown.has(id)).length : 0;
  return (
    <BuilderPicker
      legend="Specific ad groups"
      hint={adGroupsHint(value.length, elsewhere)}
      noun="ad groups"
      list={{ ...adGroups, data: adGroups.data && items && { ...adGroups.data, items } }}
      page={page}
      onPage={setPage}
      value={value}
      onChange={onChange}
      error={error}
    />
  );
}
