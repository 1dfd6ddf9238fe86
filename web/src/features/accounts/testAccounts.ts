// Ad accounts as the API answers them, for the accounts feature's unit tests.
import type { Account } from "./accountForm";

export const ACTIVE_ACCOUNT: Account = {
  id: "0b0e1c52-0000-4000-8000-000000000001",
  platform: "meta",
  account_id_external: "1234567890",
  account_name: "Meta main",
  is_connected: true,
  status: "active",
  disconnected_reason: null,
  time_zone: "UTC",
  connected_at: "2026-02-14T12:00:00Z",
  metrics_synced_at: null,
  created_at: "2026-02-14T12:00:00Z",
  updated_at: "2026-02-14T12:00:00Z",
};

/** The same account after the platform refused its token, with `reason` as the reason. */
export function disconnected(reason: string | null): Account {
  return {
    ...ACTIVE_ACCOUNT,
    is_connected: false,
    status: "disconnected",
    disconnected_reason: reason,
  };
}
