import { useNavigate, useParams } from "react-router";
import { NotFound } from "../../components/NotFound";
import { ErrorState, Loading } from "../../components/States";
import { CampaignForm } from "./CampaignForm";
import { useCampaign, useUpdateCampaign } from "./queries";
import { formValuesOf, updateBody } from "./schema";

export default function CampaignEditPage() {
  const id = useParams().campaignId ?? "";
  const campaign = useCampaign(id);
  const update = useUpdateCampaign(id);
  const navigate = useNavigate();
  if (campaign.isPending) return <Loading label="Loading campaign…" />;
  if (campaign.error)
    return (
      <NotFound
        error={campaign.error}
        title="Campaign not found"
        back={{ to: "/campaigns", label: "Back to campaigns" }}
        fallback={<ErrorState error={campaign.error} />}
      />
    );
  return (
    <>
      <h1>Edit {campaign.data.name}</h1>
      <CampaignForm
        initial={formValuesOf(campaign.data)}
        editing
        submitLabel="Save changes"
        onSubmit={async (values) => {
          await update.mutateAsync(updateBody(values));
          navigate(`/campaigns/${id}`);
        }}
      />
    </>
  );
}
