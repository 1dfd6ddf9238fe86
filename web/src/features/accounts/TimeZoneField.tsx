import type { UseFormRegisterReturn } from "react-hook-form";
import { Field } from "../../components/Field";
import { TimeZoneInput } from "../../components/TimeZoneInput";

/** An account's time zone field, as the connect and the edit forms ask for it. */
export function TimeZoneField({
  error,
  registration,
}: {
  error: string | undefined;
  registration: UseFormRegisterReturn;
}) {
  return (
    <Field
      label="Time zone"
      error={error}
      hint="The zone the account reports in: rule windows count its days."
    >
      {(p) => <TimeZoneInput {...p} {...registration} />}
    </Field>
  );
}
