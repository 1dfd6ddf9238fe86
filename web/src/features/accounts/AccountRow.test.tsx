import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { AccountRow } from "./AccountRow";
import type { Account } from "./accountForm";
import { ACTIVE_ACCOUNT as ACTIVE, disconnected } from "./testAccounts";

vi.mock("../../api/client", () => ({ api: { PATCH: vi.fn(), DELETE: vi.fn() } }));

const UNREADABLE =
  "The stored access token can't be decrypted with the configured keys (CAMPAIGNS_ENCRYPTION_KEYS); reconnect the account with a new token";

function renderRow(account: Account) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <table>
        <tbody>
          <AccountRow account={account} />
        </tbody>
      </table>
    </QueryClientProvider>,
  );
  return screen.getByRole("row");
}

describe("AccountRow", () => {
  it("shows an active account with Edit and Disconnect named after it", () => {
    const row = renderRow(ACTIVE);
    expect(within(row).getByText("active")).toHaveClass("badge", "active");
    expect(within(row).getByRole("button", { name: "Edit Meta main" })).toBeInTheDocument();
    expect(within(row).getByRole("button", { name: "Disconnect Meta main" })).toBeInTheDocument();
    expect(within(row).queryByRole("button", { name: /Reconnect/ })).toBeNull();
  });

  it("says why a disconnected account is disconnected and offers Reconnect", async () => {
    const row = renderRow({ ...disconnected(UNREADABLE), account_name: null });
    expect(within(row).getByText("disconnected")).toHaveClass("badge", "disconnected");
    expect(row).toHaveTextContent(UNREADABLE);
    expect(within(row).getByRole("button", { name: "Reconnect 1234567890" })).toBeInTheDocument();
    expect(within(row).queryByRole("button", { name: /^Edit/ })).toBeNull();

    await userEvent.click(within(row).getByRole("button", { name: "Disconnect 1234567890" }));
    const dialog = screen.getByRole("alertdialog", { name: "Disconnect 1234567890?" });
    expect(dialog).toHaveTextContent("together with its campaigns");
    expect(dialog).toHaveTextContent("reconnect the account with a new access token instead");
  });

  it("tells an account without a token that metrics can't be fetched", () => {
    const row = renderRow({ ...ACTIVE, is_connected: false });
    expect(row).toHaveTextContent("No access token: metrics can't be fetched.");
    expect(within(row).getByRole("button", { name: "Edit Meta main" })).toBeInTheDocument();
  });
});
