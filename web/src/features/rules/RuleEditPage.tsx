import { Link, useNavigate, useParams } from "react-router";
import { detailFallback } from "../../components/DetailGate";
import { useRule, useUpdateRule } from "./queries";
import { RuleForm } from "./RuleForm";
import { ruleUpdateBody, ruleValuesOf } from "./schema";

export default function RuleEditPage() {
  const id = useParams().ruleId ?? "";
  const rule = useRule(id);
  const update = useUpdateRule(id);
  const navigate = useNavigate();
  const gate = detailFallback(rule, {
    loading: "Loading rule…",
    notFound: "Rule not found",
    back: { to: "/rules", label: "Back to rules" },
  });
  if (gate || !rule.data) return gate;
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
