import type { UseFormRegisterReturn } from "react-hook-form";
import { PASSWORD_MIN } from "../lib/password";
import { Field } from "./Field";

interface NewPasswordFieldsProps {
  label: string;
  password: UseFormRegisterReturn;
  confirm: UseFormRegisterReturn;
  errors: { password?: string | undefined; confirm?: string | undefined };
}

/** A new password typed twice (register, reset, change). */
export function NewPasswordFields({ label, password, confirm, errors }: NewPasswordFieldsProps) {
  return (
    <>
      <Field label={label} error={errors.password} hint={`At least ${PASSWORD_MIN} characters.`}>
        {(p) => <input {...p} type="password" autoComplete="new-password" {...password} />}
      </Field>
      <Field label={`Repeat ${label.toLowerCase()}`} error={errors.confirm}>
        {(p) => <input {...p} type="password" autoComplete="new-password" {...confirm} />}
      </Field>
    </>
  );
}
