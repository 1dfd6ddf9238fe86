import { Link, useNavigate, useParams } from "react-router";
import { NotFound } from "../../components/NotFound";
import { ErrorState, Loading } from "../../components/States";
import { CreativeForm } from "./CreativeForm";
import { useAdGroup, useCreative, useParentCampaign, useUpdateCreative } from "./queries";
import { creativeBody, creativeValuesOf, limitsFor } from "./targeting";

/** A creative's edit page: the create form with its values, the platform's limits live. */
export default function CreativeEditPage() {
  const id = useParams().creativeId ?? "";
  const creative = useCreative(id);
  const group = useAdGroup(creative.data?.ad_group_id ?? "", Boolean(creative.data));
  const campaign = useParentCampaign(group.data?.campaign_id);
  const update = useUpdateCreative(id);
  const navigate = useNavigate();
  const failed = creative.error ?? group.error ?? campaign.error;
  if (failed) {
    return (
      <NotFound
        error={failed}
        title="Creative not found"
        back={{ to: "/campaigns", label: "Back to campaigns" }}
        fallback={<ErrorState error={failed} />}
      />
    );
  }
  if (!creative.data || !campaign.data) return <Loading label="Loading creative…" />;
  const back = `/ad-groups/${creative.data.ad_group_id}`;
  const platform = campaign.data.platform === "meta" ? "meta" : "google";
  return (
    <>
      <p>
        <Link to={back}>← {group.data?.name ?? "Ad group"}</Link>
      </p>
      <h1>Edit creative</h1>
      <CreativeForm
        platform={platform}
        limits={limitsFor(platform)}
        title="Copy and destination"
        submitLabel="Save creative"
        initial={creativeValuesOf(creative.data)}
        cancel={
          <Link className="button secondary" to={back}>
            Cancel
          </Link>
        }
        onSubmit={async (values) => {
          await update.mutateAsync(creativeBody(values));
          navigate(back);
        }}
      />
    </>
  );
}
