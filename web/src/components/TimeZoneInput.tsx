import { type ComponentProps, useId } from "react";

// The IANA zones the browser knows, offered as suggestions; the API checks the value.
const TIME_ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

/** A text input suggesting the IANA time zones (each instance with its own datalist). */
export function TimeZoneInput(props: ComponentProps<"input">) {
  const listId = useId();
  return (
    <>
      <input {...props} list={listId} autoComplete="off" />
      <datalist id={listId}>
        {TIME_ZONES.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
