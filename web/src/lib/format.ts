// Display formatting. Money arrives from the API as decimal strings (never floats).
import type { components } from "../api/schema";

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
// Always two decimals, so a column of percentages lines up ("3.00%", "2.30%", "1.23%").
const percent = new Intl.NumberFormat("en-US", {
  style: "percent",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

export function money(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? usd.format(number) : "—";
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : integer.format(value);
}

/** "1 profile", "2 profiles" (the plural is the word plus "s" unless given). */
export function counted(value: number, word: string, plural = `${word}s`): string {
  return `${count(value)} ${value === 1 ? word : plural}`;
}

/** A profile's consent, short: "granted / unspecified" (ad user data / ad personalization). */
export function consentPair(consent: components["schemas"]["Consent"]): string {
  return `${consent.ad_user_data} / ${consent.ad_personalization}`;
}

export function ratio(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(2)}×`;
}

export function fraction(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : percent.format(value);
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? "—"
    : date.toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) +
        " UTC";
}

/** `YYYY-MM-DD` of a date, in UTC (the API's metric days are UTC days). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function daysAgo(days: number, today: Date = new Date()): string {
  const copy = new Date(today.getTime());
  copy.setUTCDate(copy.getUTCDate() - days);
  return isoDay(copy);
}

/** Dates from and to as a sentence: both, one of them, or none. */
export function scheduled(
  start: string | null | undefined,
  end: string | null | undefined,
): string {
  if (start && end) return `${start} → ${end}`;
  if (start) return `From ${start}, no end date`;
  if (end) return `Until ${end}`;
  return "No start or end date";
}
