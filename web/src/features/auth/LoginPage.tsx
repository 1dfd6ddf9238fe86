import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import type { z } from "zod";
import { Field, FormError } from "../../components/Field";
import { applyServerError } from "../../lib/forms";
import { AuthLayout } from "./AuthLayout";
import { useAuth } from "./AuthProvider";
import { credentialsSchema } from "./schemas";

type Values = z.infer<typeof credentialsSchema>;

export default function LoginPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  const form = useForm<Values>({ resolver: zodResolver(credentialsSchema) });
  const { errors, isSubmitting } = form.formState;
  if (auth.status === "signed-in") return <Navigate to={from} replace />;

  const submit = form.handleSubmit(async (values) => {
    try {
      await auth.signIn(values.email, values.password);
      navigate(from, { replace: true });
    } catch (error) {
      applyServerError(error, form.setError, ["email", "password"]);
    }
  });

  return (
    <AuthLayout title="Sign in">
      {auth.notice ? (
        <p role="status" className="notice">
          {auth.notice}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate>
        <Field label="Email" error={errors.email?.message}>
          {(p) => <input {...p} type="email" autoComplete="email" {...form.register("email")} />}
        </Field>
        <Field label="Password" error={errors.password?.message}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              {...form.register("password")}
            />
          )}
        </Field>
        <FormError message={errors.root?.server?.message} />
        <button type="submit" className="button primary" disabled={isSubmitting}>
          {isSubmitting ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="auth-links">
        <Link to="/forgot-password">Forgot your password?</Link>
        <Link to="/register">Create an account</Link>
      </p>
    </AuthLayout>
  );
}
