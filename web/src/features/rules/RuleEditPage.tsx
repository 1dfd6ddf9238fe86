import { Link, useNavigate, useParams } from "react-router";
import { NotFound } from "../../components/NotFound";
import { ErrorState, Loading } from "../../components/States";
import { useRule, useUpdateRule } from "./queries";
import { RuleForm } from "./RuleForm";
import { ruleUpdateBody, ruleValuesOf } from "./schema";

export default function RuleEditPage() {
  const id = useParams().ruleId ?? "";
  const rule = useRule(id);
  const update = useUpdateRule(id);
  const navigate = useNavigate();
  if (rule.isPending) return <Loading label="Loading rule…" />;
  if (rule.error) {
    return (
      <NotFound
        error={rule.error}
        title="Rule not found"
        back={{ to: "/rules", label: "Back to rules" }}
        fallback={<ErrorState error={rule.error} retry={() => rule.refetch()} />}
      />
    );
  }
  const r = rule.data;
  return (
    <>
      <h1>Edit {r.name}</h1>
      <RuleForm
        title="Rule"
        submitLabel="Save changes"
        initial={ruleValuesOf(r)}
        cancel={
          <Link className="button secondary" to={`/rules/${id}`}>
            Cancel
          </Link>
        }
        onSubmit={async (values) => {
          await update.mutateAsync(ruleUpdateBody(values, r.conditions));
          navigate(`/rules/${id}`);
        }}
      />
    </>
  );
}
