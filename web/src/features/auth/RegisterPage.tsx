import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, Navigate, useNavigate } from "react-router";
import type { z } from "zod";
import { Field, FormError } from "../../components/Field";
import { NewPasswordFields } from "../../components/NewPasswordFields";
import { applyServerError } from "../../lib/forms";
import { AuthLayout } from "./AuthLayout";
import { useAuth } from "./AuthProvider";
import { registerSchema } from "./schemas";

type Values = z.infer<typeof registerSchema>;

export default function RegisterPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const form = useForm<Values>({ resolver: zodResolver(registerSchema) });
  const { errors, isSubmitting } = form.formState;
  if (auth.status === "signed-in") return <Navigate to="/" replace />;

  const submit = form.handleSubmit(async (values) => {
    try {
      await auth.register(values.email, values.password);
      navigate("/", { replace: true });
    } catch (error) {
      applyServerError(error, form.setError, ["email", "password"]);
    }
  });

  return (
    <AuthLayout title="Create your account">
      <form onSubmit={submit} noValidate>
        <Field label="Email" error={errors.email?.message}>
          {(p) => <input {...p} type="email" autoComplete="email" {...form.register("email")} />}
        </Field>
        <NewPasswordFields
          label="Password"
          password={form.register("password")}
          confirm={form.register("confirm")}
          errors={{ password: errors.password?.message, confirm: errors.confirm?.message }}
        />
        <FormError message={errors.root?.server?.message} />
        <button type="submit" className="button primary" disabled={isSubmitting}>
          {isSubmitting ? "Creating…" : "Create account"}
        </button>
      </form>
      <p className="auth-links">
        <Link to="/login">Already have an account? Sign in</Link>
      </p>
    </AuthLayout>
  );
}
