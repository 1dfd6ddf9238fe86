import { describe, expect, it } from "vitest";
import { campaignFormSchema, createBody, emptyCampaign, formValuesOf, updateBody } from "./schema";

const valid = {
  ...emptyCampaign,
  name: "Spring sale",
  ad_account_id: "4c0b7d52-8f61-4d0b-9a57-0c1c1e2d3f4a",
  budget_amount: "25.50",
};

describe("campaign form", () => {
  it("sends the daily budget and clears the lifetime one (XOR)", () => {
    const body = createBody(campaignFormSchema.parse(valid));
    expect(body.budget_daily).toBe("25.50");
    expect(body.budget_lifetime).toBeNull();
    expect(body.start_date).toBeNull();
  });

  it("sends the lifetime budget and clears the daily one when switched", () => {
    const body = updateBody(campaignFormSchema.parse({ ...valid, budget_kind: "lifetime" }));
    expect(body).toMatchObject({ budget_daily: null, budget_lifetime: "25.50" });
    expect(body).not.toHaveProperty("ad_account_id");
  });

  it.each([
    ["0", "more than 0"],
    ["12.345", "25.50"],
    ["-3", "25.50"],
    ["", "25.50"],
  ])("refuses the budget %s", (amount, message) => {
    const result = campaignFormSchema.safeParse({ ...valid, budget_amount: amount });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["budget_amount"]);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it("refuses an end date before the start date, on the end date", () => {
    const result = campaignFormSchema.safeParse({
      ...valid,
      start_date: "2026-05-02",
      end_date: "2026-05-01",
    });
    expect(result.error?.issues[0]?.path).toEqual(["end_date"]);
  });

  it("reads a lifetime-budget campaign back into the form", () => {
    const values = formValuesOf({
      id: "c1",
      ad_account_id: "a1",
      name: "Launch",
      platform: "meta",
      objective: "traffic",
      budget_daily: null,
      budget_lifetime: "900.00",
      status: "active",
      start_date: "2026-05-01",
      end_date: null,
      external_campaign_id: null,
      created_at: "2026-05-01T00:00:00Z",
      updated_at: "2026-05-01T00:00:00Z",
    });
    expect(values).toMatchObject({
      budget_kind: "lifetime",
      budget_amount: "900.00",
      end_date: "",
      external_campaign_id: "",
    });
  });
});
