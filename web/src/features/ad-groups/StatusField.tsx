import type { UseFormRegisterReturn } from "react-hook-form";
import { Field } from "../../components/Field";

/** Active or paused: an ad group's or a creative's status. */
export function StatusField({
  error,
  register,
}: {
  error: string | undefined;
  register: UseFormRegisterReturn;
}) {
  return (
    <Field label="Status" error={error}>
      {(p) => (
        <select {...p} {...register}>
          <option value="active">Active</option>
          <option value="paused">Paused</option>
        </select>
      )}
    </Field>
  );
}
