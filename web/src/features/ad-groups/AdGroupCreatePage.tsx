import { useNavigate, useParams } from "react-router";
import { AdGroupForm } from "./AdGroupForm";
import { useCreateAdGroup } from "./queries";
import { adGroupBody, emptyAdGroup } from "./targeting";

export default function AdGroupCreatePage() {
  const campaignId = useParams().campaignId ?? "";
  const create = useCreateAdGroup();
  const navigate = useNavigate();
  return (
    <>
      <h1>New ad group</h1>
      <AdGroupForm
        initial={emptyAdGroup}
        submitLabel="Create ad group"
        cancelTo={`/campaigns/${campaignId}`}
        onSubmit={async (values) => {
          const created = await create.mutateAsync(adGroupBody(campaignId, values));
          navigate(`/ad-groups/${created.id}`);
        }}
      />
    </>
  );
}
