import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useSearchParams } from "react-router";
import type { z } from "zod";
import { api } from "../../api/client";
import { FormError } from "../../components/Field";
import { NewPasswordFields } from "../../components/NewPasswordFields";
import { unwrap } from "../../lib/errors";
import { applyServerError } from "../../lib/forms";
import { AuthLayout } from "./AuthLayout";
import { resetSchema } from "./schemas";

type Values = z.infer<typeof resetSchema>;

export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get("token");
  const [done, setDone] = useState(false);
  const form = useForm<Values>({ resolver: zodResolver(resetSchema) });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    try {
      await unwrap(
        api.POST("/api/v1/auth/reset-password", {
          body: { token: token ?? "", new_password: values.new_password },
        }),
      );
      setDone(true);
    } catch (error) {
      applyServerError(error, form.setError, ["new_password"]);
    }
  });

  if (!token) {
    return (
      <AuthLayout title="Choose a new password">
        <p className="form-error" role="alert">
          This link has no reset token. Ask for a new link.
        </p>
        <p className="auth-links">
          <Link to="/forgot-password">Send a new link</Link>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password">
      {done ? (
        <p role="status" className="notice">
          Your password is changed and every session was signed out.{" "}
          <Link to="/login">Sign in</Link>
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <NewPasswordFields
            label="New password"
            password={form.register("new_password")}
            confirm={form.register("confirm")}
            errors={{ password: errors.new_password?.message, confirm: errors.confirm?.message }}
          />
          <FormError message={errors.root?.server?.message} />
          <button type="submit" className="button primary" disabled={isSubmitting}>
            Set password
          </button>
        </form>
      )}
    </AuthLayout>
  );
}
