import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import type { z } from "zod";
import { api } from "../../api/client";
import { Field, FormError } from "../../components/Field";
import { unwrap } from "../../lib/errors";
import { applyServerError } from "../../lib/forms";
import { AuthLayout } from "./AuthLayout";
import { forgotSchema } from "./schemas";

type Values = z.infer<typeof forgotSchema>;

export default function ForgotPasswordPage() {
  const [sent, setSent] = useState<string | null>(null);
  const form = useForm<Values>({ resolver: zodResolver(forgotSchema) });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    try {
      const answer = await unwrap(api.POST("/api/v1/auth/forgot-password", { body: values }));
      setSent(answer.message);
    } catch (error) {
      applyServerError(error, form.setError, ["email"]);
    }
  });

  return (
    <AuthLayout title="Reset your password">
      {sent ? (
        <p role="status" className="notice">
          {sent}
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Email" error={errors.email?.message}>
            {(p) => <input {...p} type="email" autoComplete="email" {...form.register("email")} />}
          </Field>
          <FormError message={errors.root?.server?.message} />
          <button type="submit" className="button primary" disabled={isSubmitting}>
            Send reset link
          </button>
        </form>
      )}
      <p className="auth-links">
        <Link to="/login">Back to sign in</Link>
      </p>
    </AuthLayout>
  );
}
