// The edit / reconnect form of an ad account: what it checks, and the PATCH body it sends
// (only the fields the user changed; a new access token reconnects a disconnected account).
import { z } from "zod";
import type { components } from "../../api/schema";
import type { AccountUpdate } from "./queries";

export type Account = components["schemas"]["AccountRead"];

export interface AccountEditValues {
  account_name: string;
  time_zone: string;
  access_token: string;
}

export const EDIT_FIELDS = ["account_name", "time_zone", "access_token"] as const;

/** Reconnecting needs a new token; editing keeps the stored one unless a new one is given. */
export function accountEditSchema(reconnect: boolean) {
  const token = z.string().trim().max(8192, "At most 8192 characters.");
  return z.object({
    account_name: z.string().trim().max(255, "At most 255 characters."),
    time_zone: z
      .string()
      .trim()
      .min(1, "Enter the account's time zone, e.g. Europe/Berlin.")
      .max(64, "At most 64 characters."),
    access_token: reconnect
      ? token.min(1, "Paste a new access token to reconnect the account.")
      : token,
  });
}

/** How the page names an account: its name, else its id on the platform. */
export function accountLabel(account: Pick<Account, "account_name" | "account_id_external">) {
  return account.account_name ?? account.account_id_external;
}

export function editValuesOf(account: Account): AccountEditValues {
  return {
    account_name: account.account_name ?? "",
    time_zone: account.time_zone,
    access_token: "",
  };
}

/** Only what changed: an emptied name clears it (null), an empty token keeps the stored one. */
export function updateBody(account: Account, values: AccountEditValues): AccountUpdate {
  const body: AccountUpdate = {};
  const name = values.account_name.trim();
  if (name !== (account.account_name ?? "")) body.account_name = name || null;
  const zone = values.time_zone.trim();
  if (zone && zone !== account.time_zone) body.time_zone = zone;
  const token = values.access_token.trim();
  if (token) body.access_token = token;
  return body;
}

export interface Reason {
  message: string;
  /** The platform's error class and codes, when the reason is a platform error. */
  detail: string | null;
}

// A platform error as the campaigns service records it: `Class code=190 http=401: message`.
const PLATFORM_ERROR = /^([A-Z]\w*(?: \w+=[^\s:]+)*): ([\s\S]+)$/;

/** Why an account was disconnected, readable: the platform's message first, its codes after. */
export function reasonOf(reason: string | null): Reason {
  const text = reason?.trim() ?? "";
  if (!text) return { message: "AdScale can no longer use its access token.", detail: null };
  const match = PLATFORM_ERROR.exec(text);
  if (!match?.[1] || !match[2]) return { message: text, detail: null };
  return { message: match[2], detail: match[1] };
}
