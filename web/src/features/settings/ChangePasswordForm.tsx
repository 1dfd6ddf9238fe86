import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Field, FormError } from "../../components/Field";
import { NewPasswordFields } from "../../components/NewPasswordFields";
import { applyServerError } from "../../lib/forms";
import { useChangePassword } from "./queries";
import { type ChangePasswordValues, changePasswordSchema } from "./schema";

export const PASSWORD_CHANGED =
  "Password changed. You stay signed in here; every other device is signed out.";

const EMPTY: ChangePasswordValues = { current_password: "", new_password: "", confirm: "" };

/**
 * Current password, new password twice. Identity ends every session on success; this tab goes
 * on with the new session the gateway keeps in its cookie.
 */
export function ChangePasswordForm() {
  const change = useChangePassword();
  const [done, setDone] = useState(false);
  const form = useForm<ChangePasswordValues>({
    resolver: zodResolver(changePasswordSchema),
    defaultValues: EMPTY,
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ current_password, new_password }) => {
    setDone(false);
    try {
      await change.mutateAsync({ current_password, new_password });
    } catch (error) {
      applyServerError(error, form.setError, ["current_password", "new_password"]);
      return;
    }
    form.reset(EMPTY);
    setDone(true);
  });

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <p className="muted">Changing it signs out every other device signed in to AdScale.</p>
      <Field label="Current password" error={errors.current_password?.message}>
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="current-password"
            {...form.register("current_password")}
          />
        )}
      </Field>
      <NewPasswordFields
        label="New password"
        password={form.register("new_password")}
        confirm={form.register("confirm")}
        errors={{ password: errors.new_password?.message, confirm: errors.confirm?.message }}
      />
      <FormError message={errors.root?.server?.message} />
      {done ? (
        <p role="status" className="notice">
          {PASSWORD_CHANGED}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button primary" disabled={isSubmitting}>
          {isSubmitting ? "Changing…" : "Change password"}
        </button>
      </div>
    </form>
  );
}
