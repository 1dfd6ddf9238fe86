import { useNavigate, useParams } from "react-router";
import { detailFallback } from "../../components/DetailGate";
import { AdGroupForm } from "./AdGroupForm";
import { useAdGroup, useUpdateAdGroup } from "./queries";
import { adGroupUpdateBody, adGroupValuesOf } from "./targeting";

export default function AdGroupEditPage() {
  const id = useParams().adGroupId ?? "";
  const group = useAdGroup(id);
  const update = useUpdateAdGroup(id);
  const navigate = useNavigate();
  const gate = detailFallback(group, {
    loading: "Loading ad group…",
    notFound: "Ad group not found",
    back: { to: "/campaigns", label: "Back to campaigns" },
  });
  if (gate || !group.data) return gate;
  const g = group.data;
  return (
    <>
      <h1>Edit {g.name}</h1>
      <AdGroupForm
        initial={adGroupValuesOf(g)}
        submitLabel="Save changes"
        cancelTo={`/ad-groups/${id}`}
        onSubmit={async (values) => {
          await update.mutateAsync(adGroupUpdateBody(values, g.targeting));
          navigate(`/ad-groups/${id}`);
        }}
      />
    </>
  );
}
