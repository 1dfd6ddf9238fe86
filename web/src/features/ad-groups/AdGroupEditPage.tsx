import { useNavigate, useParams } from "react-router";
import { NotFound } from "../../components/NotFound";
import { ErrorState, Loading } from "../../components/States";
import { AdGroupForm } from "./AdGroupForm";
import { useAdGroup, useUpdateAdGroup } from "./queries";
import { adGroupUpdateBody, adGroupValuesOf } from "./targeting";

export default function AdGroupEditPage() {
  const id = useParams().adGroupId ?? "";
  const group = useAdGroup(id);
  const update = useUpdateAdGroup(id);
  const navigate = useNavigate();
  if (group.isPending) return <Loading label="Loading ad group…" />;
  if (group.error) {
    return (
      <NotFound
        error={group.error}
        title="Ad group not found"
        back={{ to: "/campaigns", label: "Back to campaigns" }}
        fallback={<ErrorState error={group.error} retry={() => group.refetch()} />}
      />
    );
  }
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
