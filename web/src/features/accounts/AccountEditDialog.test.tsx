import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AccountEditDialog } from "./AccountEditDialog";
import type { Account } from "./accountForm";
import { ACTIVE_ACCOUNT as ACTIVE, disconnected } from "./testAccounts";

const { PATCH } = vi.hoisted(() => ({ PATCH: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { PATCH } }));

const DISCONNECTED = disconnected("TokenExpired code=190 http=401: Error validating access token");

function answer(status: number, body: unknown) {
  const ok = status < 400;
  return { data: ok ? body : undefined, error: ok ? undefined : body, response: { ok, status } };
}

function renderDialog(account: Account) {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  const invalidate = vi.spyOn(client, "invalidateQueries");
  render(
    <QueryClientProvider client={client}>
      <AccountEditDialog account={account} />
    </QueryClientProvider>,
  );
  return { invalidate };
}

beforeEach(() => {
  PATCH.mockReset();
});

describe("AccountEditDialog", () => {
  it("reconnects a disconnected account with a new token, sent alone", async () => {
    PATCH.mockResolvedValue(
      answer(200, { ...ACTIVE, updated_at: "2026-02-15T12:00:00Z" } satisfies Account),
    );
    const { invalidate } = renderDialog(DISCONNECTED);
    await userEvent.click(screen.getByRole("button", { name: "Reconnect Meta main" }));
    const dialog = screen.getByRole("dialog", { name: "Reconnect Meta main" });
    expect(dialog).toHaveTextContent("Error validating access token");
    expect(dialog).toHaveTextContent("Platform error: TokenExpired code=190 http=401");

    await userEvent.click(within(dialog).getByRole("button", { name: "Reconnect" }));
    expect(within(dialog).getByLabelText("New access token")).toHaveAccessibleDescription(
      /Paste a new access token to reconnect the account\./,
    );
    expect(PATCH).not.toHaveBeenCalled();

    await userEvent.type(within(dialog).getByLabelText("New access token"), " EAAB-new ");
    await userEvent.click(within(dialog).getByRole("button", { name: "Reconnect" }));
    expect(PATCH).toHaveBeenCalledWith("/api/v1/accounts/{account_id}", {
      params: { path: { account_id: ACTIVE.id } },
      body: { access_token: "EAAB-new" },
    });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["accounts"] });
  });

  it("edits an active account: only the changed fields, the token optional", async () => {
    PATCH.mockResolvedValue(answer(200, { ...ACTIVE, account_name: "Meta EU" }));
    renderDialog(ACTIVE);
    await userEvent.click(screen.getByRole("button", { name: "Edit Meta main" }));
    const dialog = screen.getByRole("dialog", { name: "Edit Meta main" });
    expect(within(dialog).getByLabelText("New access token")).toHaveAccessibleDescription(
      /Leave empty to keep it/,
    );
    const name = within(dialog).getByLabelText("Name");
    await userEvent.clear(name);
    await userEvent.type(name, "Meta EU");
    const zone = within(dialog).getByLabelText("Time zone");
    await userEvent.clear(zone);
    await userEvent.type(zone, "Europe/Paris");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save changes" }));
    expect(PATCH.mock.calls[0]?.[1]).toEqual({
      params: { path: { account_id: ACTIVE.id } },
      body: { account_name: "Meta EU", time_zone: "Europe/Paris" },
    });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("closes without a request when nothing changed", async () => {
    renderDialog(ACTIVE);
    await userEvent.click(screen.getByRole("button", { name: "Edit Meta main" }));
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(PATCH).not.toHaveBeenCalled();
  });

  it("puts the API's field errors under their fields and keeps the dialog open", async () => {
    PATCH.mockResolvedValue(
      answer(422, {
        detail: [
          {
            type: "value_error",
            loc: ["body", "time_zone"],
            msg: "Value error, 'Mars/Base' is not an IANA time zone (e.g. 'Europe/Paris', 'UTC')",
          },
        ],
      }),
    );
    renderDialog(ACTIVE);
    await userEvent.click(screen.getByRole("button", { name: "Edit Meta main" }));
    const dialog = screen.getByRole("dialog");
    const zone = within(dialog).getByLabelText("Time zone");
    await userEvent.clear(zone);
    await userEvent.type(zone, "Mars/Base");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save changes" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "'Mars/Base' is not an IANA time zone",
    );
    expect(zone).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
  });

  it("shows other errors above the submit button", async () => {
    PATCH.mockResolvedValue(answer(404, { detail: "Ad account not found" }));
    renderDialog(DISCONNECTED);
    await userEvent.click(screen.getByRole("button", { name: "Reconnect Meta main" }));
    const dialog = screen.getByRole("dialog");
    await userEvent.type(within(dialog).getByLabelText("New access token"), "EAAB-new");
    await userEvent.click(within(dialog).getByRole("button", { name: "Reconnect" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Ad account not found");
    expect(alert).toHaveClass("form-error");
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
