import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { Field, FormActions } from "../../components/Field";
import { ErrorState, Loading } from "../../components/States";
import { applyServerError } from "../../lib/forms";
import { useAccountChoices } from "./queries";
import {
  type CampaignFormValues,
  campaignFormSchema,
  OBJECTIVES,
  SERVER_FIELD_RENAMES,
  STATUSES,
} from "./schema";

const FIELDS = [
  "name",
  "ad_account_id",
  "objective",
  "status",
  "budget_amount",
  "start_date",
  "end_date",
  "external_campaign_id",
] as const;

const LABELS: Record<string, string> = {
  sales: "Sales",
  traffic: "Traffic",
  awareness: "Awareness",
  leads: "Leads",
  app_installs: "App installs",
  draft: "Draft",
  active: "Active",
  paused: "Paused",
  completed: "Completed",
};

interface CampaignFormProps {
  initial: CampaignFormValues;
  editing: boolean;
  submitLabel: string;
  onSubmit: (values: CampaignFormValues) => Promise<unknown>;
}

export function CampaignForm({ initial, editing, submitLabel, onSubmit }: CampaignFormProps) {
  const accounts = useAccountChoices();
  const form = useForm<CampaignFormValues>({
    resolver: zodResolver(campaignFormSchema),
    defaultValues: initial,
  });
  const { errors, isSubmitting } = form.formState;
  const kind = form.watch("budget_kind");

  if (accounts.isPending) return <Loading label="Loading ad accounts…" />;
  if (accounts.error) return <ErrorState error={accounts.error} retry={() => accounts.refetch()} />;
  if (!editing && accounts.data.items.length === 0) {
    return (
      <div className="state state-empty">
        <p className="state-title">A campaign needs an ad account</p>
        <Link to="/accounts">Connect an ad account first</Link>
      </div>
    );
  }

  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      applyServerError(error, form.setError, FIELDS, SERVER_FIELD_RENAMES);
    }
  });

  return (
    <form className="panel" onSubmit={submit} noValidate>
      <div className="grid-2">
        <Field label="Name" error={errors.name?.message}>
          {(p) => <input {...p} {...form.register("name")} />}
        </Field>
        <Field
          label="Ad account"
          error={errors.ad_account_id?.message}
          hint={editing ? "A campaign stays on its ad account." : undefined}
        >
          {(p) => (
            <select {...p} disabled={editing} {...form.register("ad_account_id")}>
              <option value="">Choose…</option>
              {accounts.data.items.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.account_name ?? a.account_id_external} ({a.platform})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Objective" error={errors.objective?.message}>
          {(p) => (
            <select {...p} {...form.register("objective")}>
              {OBJECTIVES.map((o) => (
                <option key={o} value={o}>
                  {LABELS[o]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status" error={errors.status?.message}>
          {(p) => (
            <select {...p} {...form.register("status")}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset>
        <legend>Budget (one of the two)</legend>
        <div className="radio-row">
          <label>
            <input type="radio" value="daily" {...form.register("budget_kind")} /> Daily
          </label>
          <label>
            <input type="radio" value="lifetime" {...form.register("budget_kind")} /> Lifetime
          </label>
        </div>
        <Field
          label={kind === "daily" ? "Daily budget (USD)" : "Lifetime budget (USD)"}
          error={errors.budget_amount?.message}
        >
          {(p) => <input {...p} inputMode="decimal" {...form.register("budget_amount")} />}
        </Field>
      </fieldset>
      <div className="grid-2">
        <Field label="Start date" error={errors.start_date?.message}>
          {(p) => <input {...p} type="date" {...form.register("start_date")} />}
        </Field>
        <Field label="End date" error={errors.end_date?.message}>
          {(p) => <input {...p} type="date" {...form.register("end_date")} />}
        </Field>
        <Field
          label="Platform campaign id"
          error={errors.external_campaign_id?.message}
          hint="Optional: links the campaign to the platform so its metrics can be fetched."
        >
          {(p) => <input {...p} {...form.register("external_campaign_id")} />}
        </Field>
      </div>
      <FormActions
        error={errors.root?.server?.message}
        cancel={
          <Link className="button secondary" to="/campaigns">
            Cancel
          </Link>
        }
        pending={isSubmitting}
        label={submitLabel}
      />
    </form>
  );
}
