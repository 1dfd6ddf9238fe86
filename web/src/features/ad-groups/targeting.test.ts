import { describe, expect, it } from "vitest";
import {
  adGroupBody,
  adGroupFormSchema,
  adGroupUpdateBody,
  adGroupValuesOf,
  creativeBody,
  creativeFormSchema,
  creativeValuesOf,
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

describe("ad group edit", () => {
  const read = {
    id: "g1",
    campaign_id: "c1",
    name: "Runners",
    status: "paused" as const,
    bid_strategy: "manual_cpc" as const,
    bid_amount: "1.2500",
    targeting: { age: "25-45", interests: ["running"], locations: ["US", "DE"], audiences: ["a1"] },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };

  it("starts from the group's values, the bid in dollars and cents", () => {
    expect(adGroupValuesOf(read)).toEqual({
      name: "Runners",
      status: "paused",
      bid_strategy: "manual_cpc",
      bid_amount: "1.25",
      age_min: "25",
      age_max: "45",
      interests: "running",
      countries: "US, DE",
    });
  });

  it("sends the edited targeting and keeps what the form does not show", () => {
    const values = adGroupFormSchema.parse({
      ...adGroupValuesOf(read),
      age_min: "",
      age_max: "",
      countries: "fr",
    });
    expect(adGroupUpdateBody(values, read.targeting)).toEqual({
      name: "Runners",
      status: "paused",
      bid_strategy: "manual_cpc",
      bid_amount: "1.25",
      targeting: { age: null, interests: ["running"], locations: ["FR"], audiences: ["a1"] },
    });
  });

  it("drops the bid when the strategy is no longer manual CPC", () => {
    const values = adGroupFormSchema.parse({ ...adGroupValuesOf(read), bid_strategy: "auto_cpc" });
    expect(adGroupUpdateBody(values, read.targeting).bid_amount).toBeNull();
  });

  it("leaves an age it cannot show as a range empty rather than wrong", () => {
    const values = adGroupValuesOf({ ...read, targeting: { age: "18+" } });
    expect([values.age_min, values.age_max]).toEqual(["", ""]);
  });
});

describe("creative edit", () => {
  it("round-trips a creative; an emptied call to action is cleared", () => {
    const values = creativeValuesOf({
      id: "k1",
      ad_group_id: "g1",
      status: "active",
      headline: "Run far",
      description: "Light shoes",
      call_to_action: "Shop Now",
      destination_url: "https://a.example/x",
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    });
    expect(creativeBody({ ...values, call_to_action: "" })).toEqual({
      status: "active",
      headline: "Run far",
      description: "Light shoes",
      call_to_action: null,
      destination_url: "https://a.example/x",
    });
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
      status: "active",
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
