import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { components } from "../../api/schema";
import { WebhookControls } from "./WebhookControls";

const { PATCH, POST } = vi.hoisted(() => ({ PATCH: vi.fn(), POST: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { PATCH, POST } }));

type Webhook = components["schemas"]["WebhookRead"];
const WEBHOOK: Webhook = {
  id: "6f1c9a52-0000-4000-8000-000000000001",
  url: "https://example.com/hooks",
  events: ["rule.executed"],
  description: null,
  enabled: true,
  disabled_reason: null,
  disabled_at: null,
  previous_secret_expires_at: null,
  created_at: "2026-02-14T12:00:00Z",
  updated_at: "2026-02-14T12:00:00Z",
};

function answer(status: number, body: unknown) {
  const ok = status < 400;
  return { data: ok ? body : undefined, error: ok ? undefined : body, response: { ok, status } };
}

function renderControls(webhook: Webhook) {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  const invalidate = vi.spyOn(client, "invalidateQueries");
  render(
    <QueryClientProvider client={client}>
      <WebhookControls webhook={webhook} />
    </QueryClientProvider>,
  );
  return { invalidate };
}

beforeEach(() => {
  PATCH.mockReset();
  POST.mockReset();
});

describe("WebhookControls", () => {
  it("disables an enabled subscription and refreshes the page and the list", async () => {
    PATCH.mockResolvedValue(answer(200, { ...WEBHOOK, enabled: false }));
    const { invalidate } = renderControls(WEBHOOK);
    expect(screen.getByRole("status")).toHaveTextContent("enabled");
    await userEvent.click(screen.getByRole("button", { name: "Disable" }));
    expect(PATCH).toHaveBeenCalledWith("/api/v1/cdp/audience-sync/webhooks/{webhook_id}", {
      params: { path: { webhook_id: WEBHOOK.id } },
      body: { enabled: false },
    });
    await waitFor(() => expect(invalidate).toHaveBeenCalledWith({ queryKey: ["webhooks"] }));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["webhook", WEBHOOK.id] });
  });

  it("offers Enable on a subscription the system disabled, and shows the API's refusal", async () => {
    PATCH.mockResolvedValue(
      answer(503, { error: { code: "UNAVAILABLE", message: "Try again shortly." } }),
    );
    renderControls({
      ...WEBHOOK,
      enabled: false,
      disabled_reason: "failing",
      disabled_at: "2026-02-14T12:00:00Z",
    });
    expect(screen.getByRole("status")).toHaveTextContent(/disabled.*kept failing/);
    await userEvent.click(screen.getByRole("button", { name: "Enable" }));
    expect(PATCH.mock.calls[0]?.[1]).toMatchObject({ body: { enabled: true } });
    expect(await screen.findByRole("alert")).toHaveTextContent("Try again shortly.");
    expect(screen.getByRole("button", { name: "Enable" })).toBeEnabled();
  });

  it("rotates the secret after a confirmation and shows the new one once", async () => {
    POST.mockResolvedValue(
      answer(200, {
        id: WEBHOOK.id,
        secret: "whsec_bmV3",
        previous_secret_expires_at: "2026-02-15T12:00:00Z",
      }),
    );
    renderControls(WEBHOOK);
    await userEvent.click(screen.getByRole("button", { name: "Rotate secret" }));
    expect(POST).not.toHaveBeenCalled();
    const dialog = screen.getByRole("alertdialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Rotate secret" }));
    expect(POST).toHaveBeenCalledWith(
      "/api/v1/cdp/audience-sync/webhooks/{webhook_id}/rotate-secret",
      { params: { path: { webhook_id: WEBHOOK.id } } },
    );
    expect(await screen.findByTestId("rotated-secret")).toHaveTextContent("whsec_bmV3");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    const shown = screen.getByRole("region", { name: "New signing secret" });
    expect(shown).toHaveTextContent("shown only once");
    expect(shown).toHaveTextContent("valid until Feb 15, 2026, 12:00 PM UTC");
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByText("whsec_bmV3")).toBeNull();
  });

  it("keeps the dialog open with the API's message when the rotation is refused", async () => {
    POST.mockResolvedValue(
      answer(404, { error: { code: "NOT_FOUND", message: "Webhook not found" } }),
    );
    renderControls(WEBHOOK);
    await userEvent.click(screen.getByRole("button", { name: "Rotate secret" }));
    const dialog = screen.getByRole("alertdialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Rotate secret" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Webhook not found");
    expect(screen.queryByTestId("rotated-secret")).toBeNull();
  });
});
