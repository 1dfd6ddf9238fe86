import { useState } from "react";
import { Pagination } from "../../components/Pagination";
import { ErrorState, Loading } from "../../components/States";
import { PAGE_SIZE } from "../../lib/pagination";
import { useCampaigns } from "../campaigns/queries";
import type { RuleFormValues } from "./schema";

interface BuilderCampaignsProps {
  /** At ad-group level the rule judges the ad groups of the picked campaigns. */
  level: RuleFormValues["scope"]["level"];
  value: readonly string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}

/** What the picked campaigns mean at `level`: "2 picked: only these campaigns." */
function campaignsHint(level: BuilderCampaignsProps["level"], picked: number): string {
  const these = picked === 1 ? "this campaign" : "these campaigns";
  if (level === "ad_group") {
    return picked === 0
      ? "None picked: the ad groups that match the rest, in every campaign."
      : `${picked} picked: only the ad groups of ${these}.`;
  }
  return picked === 0
    ? "None picked: every campaign that matches the rest."
    : `${picked} picked: only ${these}.`;
}

/**
 * Specific campaigns to judge (at ad-group level, whose ad groups to judge), picked from the
 * user's campaigns a page at a time.
 */
export function BuilderCampaigns({ level, value, onChange, error }: BuilderCampaignsProps) {
  const [page, setPage] = useState(1);
  const campaigns = useCampaigns(page);
  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...value, id] : value.filter((v) => v !== id));
  return (
    <fieldset>
      <legend>Specific campaigns (optional)</legend>
      <p className="hint">{campaignsHint(level, value.length)}</p>
      {campaigns.isPending ? <Loading label="Loading campaigns…" /> : null}
      {campaigns.error ? (
        <ErrorState error={campaigns.error} retry={() => campaigns.refetch()} />
      ) : null}
      {campaigns.data && campaigns.data.items.length === 0 ? (
        <p className="muted">No campaigns yet.</p>
      ) : null}
      {campaigns.data && campaigns.data.items.length > 0 ? (
        <>
          <div className="checks">
            {campaigns.data.items.map((c) => (
              <label key={c.id}>
                <input
                  type="checkbox"
                  checked={value.includes(c.id)}
                  onChange={(event) => toggle(c.id, event.target.checked)}
                />{" "}
                {c.name} <span className="muted">({c.status})</span>
              </label>
            ))}
          </div>
          <Pagination page={page} total={campaigns.data.total} size={PAGE_SIZE} onPage={setPage} />
        </>
      ) : null}
      {value.length > 0 ? (
        <button type="button" className="button secondary" onClick={() => onChange([])}>
          Untick all campaigns
        </button>
      ) : null}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}
