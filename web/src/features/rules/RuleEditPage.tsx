import { Link, useNavigate, useParams } from "react-router";
import { detailFallback } from "../../components/DetailGate";
import { ErrorState, Loading } from "../../components/States";
import { needsExpansion, ruleFormValuesOf, ruleUpdateBody } from "./conditions";
import { useExpandedRule, useRule, useUpdateRule } from "./queries";
import { RuleForm } from "./RuleForm";

export default function RuleEditPage() {
  const id = useParams().ruleId ?? "";
  const rule = useRule(id);
  // A preset-only rule has no filters or action of its own: the builder shows what runs.
  const expand = rule.data ? needsExpansion(rule.data) : false;
  const expanded = useExpandedRule(id, expand);
  const update = useUpdateRule(id);
  const navigate = useNavigate();
  const gate = detailFallback(rule, {
    loading: "Loading rule…",
    notFound: "Rule not found",
    back: { to: "/rules", label: "Back to rules" },
  });
  if (gate || !rule.data) return gate;
  if (expand && expanded.isPending) return <Loading label="Loading rule…" />;
  if (expand && expanded.error) {
    return <ErrorState error={expanded.error} retry={() => expanded.refetch()} />;
  }
  const r = rule.data;
  return (
    <>
      <h1>Edit {r.name}</h1>
      <RuleForm
        title="Rule"
        submitLabel="Save changes"
        initial={ruleFormValuesOf(r, expand ? expanded.data : undefined)}
        cancel={
          <Link className="button secondary" to={`/rules/${id}`}>
            Cancel
          </Link>
        }
        onSubmit={async (values) => {
          await update.mutateAsync(ruleUpdateBody(values));
          navigate(`/rules/${id}`);
        }}
      />
    </>
  );
}
