import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { Field, FormActions } from "../../components/Field";
import { applyServerError } from "../../lib/forms";
import { StatusField } from "./StatusField";
import { type AdGroupFormValues, adGroupFormSchema, BID_STRATEGIES } from "./targeting";

const STRATEGY_LABELS: Record<string, string> = {
  auto_cpc: "Automatic CPC",
  manual_cpc: "Manual CPC",
  target_roas: "Target ROAS",
};
const FIELDS = ["name", "status", "bid_strategy", "bid_amount"] as const;

interface AdGroupFormProps {
  initial: AdGroupFormValues;
  submitLabel: string;
  cancelTo: string;
  onSubmit: (values: AdGroupFormValues) => Promise<unknown>;
}

/** Name, status, bid strategy and targeting of an ad group: the create and edit pages' form. */
export function AdGroupForm({ initial, submitLabel, cancelTo, onSubmit }: AdGroupFormProps) {
  const form = useForm<AdGroupFormValues>({
    resolver: zodResolver(adGroupFormSchema),
    defaultValues: initial,
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      // Targeting errors name `targeting` as a whole: they are shown above the buttons.
      applyServerError(error, form.setError, FIELDS);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate>
      <div className="grid-2">
        <Field label="Name" error={errors.name?.message}>
          {(p) => <input {...p} {...form.register("name")} />}
        </Field>
        <StatusField error={errors.status?.message} register={form.register("status")} />
        <Field label="Bid strategy" error={errors.bid_strategy?.message}>
          {(p) => (
            <select {...p} {...form.register("bid_strategy")}>
              {BID_STRATEGIES.map((s) => (
                <option key={s} value={s}>
                  {STRATEGY_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Bid (USD)" error={errors.bid_amount?.message} hint="Needed for manual CPC.">
          {(p) => <input {...p} inputMode="decimal" {...form.register("bid_amount")} />}
        </Field>
      </div>
      <fieldset>
        <legend>Targeting</legend>
        <div className="grid-2">
          <Field label="Age from" error={errors.age_min?.message}>
            {(p) => <input {...p} inputMode="numeric" {...form.register("age_min")} />}
          </Field>
          <Field label="Age to" error={errors.age_max?.message}>
            {(p) => <input {...p} inputMode="numeric" {...form.register("age_max")} />}
          </Field>
          <Field
            label="Interests"
            error={errors.interests?.message}
            hint="Comma-separated, like running, fitness."
          >
            {(p) => <input {...p} {...form.register("interests")} />}
          </Field>
          <Field
            label="Countries"
            error={errors.countries?.message}
            hint="Two-letter codes, comma-separated, like US, DE."
          >
            {(p) => <input {...p} {...form.register("countries")} />}
          </Field>
        </div>
      </fieldset>
      <FormActions
        error={errors.root?.server?.message}
        cancel={
          <Link className="button secondary" to={cancelTo}>
            Cancel
          </Link>
        }
        pending={isSubmitting}
        label={submitLabel}
      />
    </form>
  );
}
