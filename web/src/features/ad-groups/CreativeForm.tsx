import { zodResolver } from "@hookform/resolvers/zod";
import { type ReactNode, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Field, FormActions, FormError } from "../../components/Field";
import { applyServerError } from "../../lib/forms";
import { useGenerateCopy } from "./queries";
import { StatusField } from "./StatusField";
import { type CreativeFormValues, creativeFormSchema, type TextLimits } from "./targeting";

const productSchema = z.object({
  product_name: z.string().trim().min(1, "Name the product.").max(200),
  product_description: z.string().trim().min(1, "Describe the product.").max(2000),
  tone: z.string().trim().max(50),
});

function Counter({ value, limit }: { value: string; limit: number }) {
  const over = value.length > limit;
  return (
    <span className={over ? "field-error" : "muted"} aria-live="polite">
      {value.length}/{limit} characters{over ? ": too long" : ""}
    </span>
  );
}

interface CreativeFormProps {
  platform: "google" | "meta";
  limits: TextLimits;
  title: string;
  submitLabel: string;
  initial: CreativeFormValues;
  onSubmit: (values: CreativeFormValues) => Promise<unknown>;
  /** After a create: empty again for the next creative. */
  resetOnSave?: boolean;
  cancel?: ReactNode;
}

/**
 * A creative (create or edit), with "Generate": the AI copy fills headline, description and
 * CTA for review, counted live against the platform's limits.
 */
export function CreativeForm(props: CreativeFormProps) {
  const { platform, limits, title, submitLabel, initial, onSubmit, resetOnSave, cancel } = props;
  const generate = useGenerateCopy();
  const [provider, setProvider] = useState<string | null>(null);
  const form = useForm<CreativeFormValues>({
    resolver: zodResolver(creativeFormSchema(limits)),
    defaultValues: initial,
  });
  const product = useForm<z.infer<typeof productSchema>>({
    resolver: zodResolver(productSchema),
    defaultValues: { product_name: "", product_description: "", tone: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const headline = form.watch("headline");
  const description = form.watch("description");
  const cta = form.watch("call_to_action");

  const runGenerate = product.handleSubmit(async (values) => {
    try {
      const copy = await generate.mutateAsync({
        platform,
        product_name: values.product_name,
        product_description: values.product_description,
        tone: values.tone || null,
      });
      form.setValue("headline", copy.headline, { shouldValidate: true });
      form.setValue("description", copy.description, { shouldValidate: true });
      form.setValue("call_to_action", copy.call_to_action, { shouldValidate: true });
      setProvider(copy.provider);
    } catch (error) {
      applyServerError(error, product.setError, ["product_name", "product_description", "tone"]);
    }
  });

  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
      if (resetOnSave) {
        form.reset(initial);
        setProvider(null);
      }
    } catch (error) {
      applyServerError(error, form.setError, [
        "headline",
        "description",
        "call_to_action",
        "destination_url",
        "status",
      ]);
    }
  });

  return (
    <div className="panel">
      <h2>{title}</h2>
      <form onSubmit={runGenerate} noValidate aria-label="Generate copy">
        <div className="grid-2">
          <Field label="Product name" error={product.formState.errors.product_name?.message}>
            {(p) => <input {...p} {...product.register("product_name")} />}
          </Field>
          <Field
            label="Tone"
            error={product.formState.errors.tone?.message}
            hint="Optional: casual, professional…"
          >
            {(p) => <input {...p} {...product.register("tone")} />}
          </Field>
        </div>
        <Field
          label="Product description"
          error={product.formState.errors.product_description?.message}
        >
          {(p) => <textarea {...p} rows={2} {...product.register("product_description")} />}
        </Field>
        <FormError message={product.formState.errors.root?.server?.message} />
        <button type="submit" className="button secondary" disabled={generate.isPending}>
          {generate.isPending ? "Generating…" : "Generate"}
        </button>
        {provider ? (
          <span role="status" className="muted">
            {" "}
            Copy generated ({provider}): review it below.
          </span>
        ) : null}
      </form>
      <form onSubmit={submit} noValidate aria-label="Creative">
        <Field
          label="Headline"
          error={errors.headline?.message}
          hint={<Counter value={headline} limit={limits.headline} />}
        >
          {(p) => <input {...p} {...form.register("headline")} />}
        </Field>
        <Field
          label="Description"
          error={errors.description?.message}
          hint={<Counter value={description} limit={limits.description} />}
        >
          {(p) => <textarea {...p} rows={3} {...form.register("description")} />}
        </Field>
        <div className="grid-2">
          <Field
            label="Call to action"
            error={errors.call_to_action?.message}
            hint={<Counter value={cta} limit={limits.call_to_action} />}
          >
            {(p) => <input {...p} {...form.register("call_to_action")} />}
          </Field>
          <Field label="Destination URL" error={errors.destination_url?.message}>
            {(p) => <input {...p} type="url" {...form.register("destination_url")} />}
          </Field>
          <StatusField error={errors.status?.message} register={form.register("status")} />
        </div>
        <FormActions
          error={errors.root?.server?.message}
          cancel={cancel}
          pending={isSubmitting}
          label={submitLabel}
        />
      </form>
    </div>
  );
}
