// The CSV import's column mapping: what each column can be imported as, and the `mapping`
// query parameter (column header → target) that overrides what the headers suggest.
import type { components } from "../../api/schema";

export type ColumnDecision = components["schemas"]["ColumnDecision"];
export type Overrides = Record<string, string>;

export const IGNORE = "ignore";
const TRAIT = "trait:";

// audience-sync's profile fields (segment/rows.py FIELDS, with the key first).
const FIELD_LABELS: Record<string, string> = {
  external_id: "External id (key)",
  email: "Email",
  phone: "Phone",
  first_name: "First name",
  last_name: "Last name",
  city: "City",
  state: "State / region",
  zip: "ZIP / postal code",
  country: "Country",
  madid: "Mobile ad id",
  consent_ad_user_data: "Consent: ad user data",
  consent_ad_personalization: "Consent: ad personalization",
  traits: "Traits (JSON object)",
};

export const DECIDED_BY: Record<ColumnDecision["decided_by"], string> = {
  mapping: "your choice",
  exact: "header is the field's name",
  alias: "known export header",
  unknown: "not a known field: kept as a trait",
  "empty header": "no header: ignored",
};

/** A trait's name from a header, as audience-sync names it: lower-case, spaces as `_`. */
export function traitName(header: string): string {
  return header.trim().toLowerCase().split(/\s+/).filter(Boolean).join("_").slice(0, 64);
}

export function targetLabel(target: string): string {
  if (target === IGNORE) return "Ignore";
  if (target.startsWith(TRAIT)) return `Trait “${target.slice(TRAIT.length)}”`;
  return FIELD_LABELS[target] ?? target;
}

/** The choices for one column: every field, a trait named after it, or ignore. */
export function targetOptions(column: ColumnDecision): { value: string; label: string }[] {
  const values = Object.keys(FIELD_LABELS);
  const trait = column.header.trim() ? `${TRAIT}${traitName(column.header)}` : null;
  if (trait) values.push(trait);
  if (column.target.startsWith(TRAIT) && column.target !== trait) values.push(column.target);
  values.push(IGNORE);
  return values.map((value) => ({ value, label: targetLabel(value) }));
}

/**
 * The `mapping` parameter: every column the user chose a target for (undefined when none, so
 * the import decides as the preview did). Sent whole on each preview and on the import, so
 * the import does what the last preview showed. Unnamed columns cannot be named in a mapping.
 */
export function mappingParam(columns: ColumnDecision[], overrides: Overrides): string | undefined {
  const chosen: Overrides = {};
  for (const column of columns) {
    const wanted = overrides[column.header];
    if (column.header.trim() && wanted) chosen[column.header] = wanted;
  }
  return Object.keys(chosen).length ? JSON.stringify(chosen) : undefined;
}
