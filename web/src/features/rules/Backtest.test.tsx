import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { Backtest } from "./Backtest";

vi.mock("../../api/client", () => ({ api: { POST: vi.fn() } }));

function renderBacktest() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <Backtest ruleId="r1" />
    </QueryClientProvider>,
  );
}

const answer = (status: number, body: unknown) =>
  ({
    ...(status < 400 ? { data: body } : { error: body }),
    response: new Response(null, { status }),
  }) as never;

describe("Backtest", () => {
  beforeEach(() => vi.mocked(api.POST).mockReset());

  it("refuses more than 90 days under the field, without asking the API", async () => {
    renderBacktest();
    const from = screen.getByLabelText("From");
    await userEvent.clear(from);
    await userEvent.type(from, "2025-01-01");
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    expect(await screen.findByText(/at most 90 days/)).toBeVisible();
    expect(screen.getByLabelText("To")).toHaveAttribute("aria-invalid", "true");
    expect(api.POST).not.toHaveBeenCalled();
  });

  it("shows the API's 422 under the fields", async () => {
    vi.mocked(api.POST).mockResolvedValue(
      answer(422, {
        detail: [{ loc: ["body"], msg: "Value error, a backtest spans at most 90 days" }],
      }),
    );
    renderBacktest();
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("a backtest spans at most 90 days");
    expect(api.POST).toHaveBeenCalledWith("/api/v1/rules/{rule_id}/backtest", {
      params: { path: { rule_id: "r1" } },
      body: expect.objectContaining({ start_date: expect.any(String) }),
    });
  });

  it("says nothing was changed, and when nothing would have been done, says that", async () => {
    vi.mocked(api.POST).mockResolvedValue(
      answer(200, {
        rule_id: "r1",
        start_date: "2026-02-01",
        end_date: "2026-02-02",
        actions_total: 0,
        spend_touched: "0.00",
        roas_touched: null,
        days: [
          {
            date: "2026-02-01",
            actions: [],
            objects_evaluated: 3,
            spend_touched: "0.00",
            roas_touched: null,
          },
          {
            date: "2026-02-02",
            actions: [],
            objects_evaluated: 3,
            spend_touched: "0.00",
            roas_touched: null,
          },
        ],
      }),
    );
    renderBacktest();
    await userEvent.click(screen.getByRole("button", { name: "Run backtest" }));
    expect(await screen.findByText(/^Nothing was changed/)).toBeVisible();
    expect(screen.getByText("The rule would not have acted")).toBeVisible();
    expect(screen.getByText(/judged up to 3 objects a day/)).toBeVisible();
    expect(screen.queryByRole("table")).toBeNull();
  });
});
