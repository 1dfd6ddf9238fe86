// Who a privacy request is about: exactly one identifier, checked before it is sent (the API
// checks again and its field errors are shown the same way).

export type IdentifierKind = "email" | "phone" | "external_id";
export type PersonKey = Partial<Record<IdentifierKind, string>>;

export const KINDS: { id: IdentifierKind; label: string }[] = [
  { id: "email", label: "Email" },
  { id: "phone", label: "Phone" },
  { id: "external_id", label: "External id" },
];

export function isKind(value: string): value is IdentifierKind {
  return KINDS.some((k) => k.id === value);
}

export function personKey(kind: IdentifierKind, value: string): PersonKey {
  return { [kind]: value.trim() };
}

/** Why the value can't be one of its kind, or `null` when it can. */
export function identifierProblem(kind: IdentifierKind, value: string): string | null {
  const text = value.trim();
  if (!text) return "Enter the person's identifier.";
  if (kind === "email" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text)) {
    return "An email like jane@example.com.";
  }
  if (kind === "phone" && text.replace(/\D/g, "").length < 7) {
    return "A phone number with its country code, like +1 415 555 0100.";
  }
  return null;
}

/** A hash short enough for a table cell (the full one is in its title). */
export function shortHash(sha256: string): string {
  return `${sha256.slice(0, 12)}…`;
}
