import { describe, expect, it } from "vitest";
import {
  adGroupBody,
  adGroupFormSchema,
  creativeFormSchema,
  emptyAdGroup,
  limitsFor,
} from "./targeting";

describe("ad group form", () => {
  it("turns lists and an age range into the API's targeting", () => {
    const values = adGroupFormSchema.parse({
      ...emptyAdGroup,
      name: "Runners",
      age_min: "25",
      age_max: "45",
      interests: "running, fitness , ",
      countries: "us, DE",
    });
    expect(adGroupBody("c1", values)).toEqual({
      campaign_id: "c1",
      name: "Runners",
      status: "active",
      bid_strategy: "auto_cpc",
      bid_amount: null,
      targeting: { age: "25-45", interests: ["running", "fitness"], locations: ["US", "DE"] },
    });
  });

  it("sends no targeting keys for empty inputs", () => {
    const values = adGroupFormSchema.parse({ ...emptyAdGroup, name: "Broad" });
    expect(adGroupBody("c1", values).targeting).toEqual({
      age: null,
      interests: null,
      locations: null,
    });
  });

  it.each([
    [{ bid_strategy: "manual_cpc" }, "bid_amount"],
    [{ age_min: "30", age_max: "20" }, "age_max"],
    [{ age_min: "30" }, "age_max"],
    [{ age_min: "9", age_max: "20" }, "age_min"],
    [{ countries: "USA" }, "countries"],
  ])("refuses %o on %s", (patch, field) => {
    const result = adGroupFormSchema.safeParse({ ...emptyAdGroup, name: "x", ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });
});

describe("creative copy limits", () => {
  it("uses the platform's limits, Google for an unknown platform", () => {
    expect(limitsFor("meta")).toMatchObject({ headline: 40, description: 125 });
    expect(limitsFor("tiktok")).toMatchObject({ headline: 30, description: 90 });
  });

  it("refuses a headline past the platform's limit", () => {
    const google = creativeFormSchema(limitsFor("google"));
    const base = {
      description: "d",
      call_to_action: "Shop Now",
      destination_url: "https://a.example/x",
    };
    expect(google.safeParse({ ...base, headline: "x".repeat(30) }).success).toBe(true);
    const long = google.safeParse({ ...base, headline: "x".repeat(31) });
    expect(long.error?.issues[0]?.message).toBe("At most 30 characters.");
    expect(
      creativeFormSchema(limitsFor("meta")).safeParse({ ...base, headline: "x".repeat(31) })
        .success,
    ).toBe(true);
  });
});
