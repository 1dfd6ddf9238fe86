import { type ComponentProps, useId } from "react";
import type { UseFormRegisterReturn } from "react-hook-form";
import { Field } from "../../components/Field";

// The IANA zones the browser knows, offered as suggestions; the API checks the value.
const TIME_ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

/** A text input suggesting the IANA time zones (each instance with its own datalist). */
export function TimeZoneInput(props: ComponentProps<"input">) {
  const listId = useId();
  return (
    <>
      <input {...props} list={listId} />
      <datalist id={listId}>
        {TIME_ZONES.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}

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
