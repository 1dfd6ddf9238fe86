import { useNavigate } from "react-router";
import { CampaignForm } from "./CampaignForm";
import { useCreateCampaign } from "./queries";
import { createBody, emptyCampaign } from "./schema";

export default function CampaignCreatePage() {
  const create = useCreateCampaign();
  const navigate = useNavigate();
  return (
    <>
      <h1>New campaign</h1>
      <CampaignForm
        initial={emptyCampaign}
        editing={false}
        submitLabel="Create campaign"
        onSubmit={async (values) => {
          const created = await create.mutateAsync(createBody(values));
          navigate(`/campaigns/${created.id}`);
        }}
      />
    </>
  );
}
