import { describe, expect, it } from "vitest";
import { ApiError, isPlanLimit, isPlanLimitMessage, parseErrorBody, unwrap } from "./errors";

describe("parseErrorBody", () => {
  it("takes the AdScale detail string as the message", () => {
    expect(parseErrorBody(409, { detail: "Email already registered" })).toEqual({
      message: "Email already registered",
      code: null,
      fields: {},
    });
  });

  it("maps a 422 field list onto fields, form-level items onto the message", () => {
    const parsed = parseErrorBody(422, {
      detail: [
        { loc: ["body", "password"], msg: "String should have at least 8 characters" },
        { loc: ["body", "password"], msg: "a second message for the same field" },
        {
          loc: ["body"],
          msg: "Value error, budget_daily and budget_lifetime are mutually exclusive",
        },
        { loc: ["query", "start_date"], msg: "Input should be a valid date" },
      ],
    });
    expect(parsed.fields).toEqual({
      password: "String should have at least 8 characters",
      start_date: "Input should be a valid date",
    });
    expect(parsed.message).toBe("budget_daily and budget_lifetime are mutually exclusive");
  });

  it("reads the audience-sync envelope with its code and field errors", () => {
    const parsed = parseErrorBody(400, {
      error: {
        code: "VALIDATION_ERROR",
        message: "Invalid request",
        details: { errors: [{ loc: ["body", "name"], msg: "Field required" }] },
      },
    });
    expect(parsed).toEqual({
      message: "Invalid request",
      code: "VALIDATION_ERROR",
      fields: { name: "Field required" },
    });
  });

  it("falls back to a message per status when the body says nothing", () => {
    expect(parseErrorBody(503, null).message).toMatch(/unavailable/);
    expect(parseErrorBody(418, "teapot").message).toBe("Request failed (418).");
  });
});

describe("unwrap", () => {
  it("returns the data of a successful call", async () => {
    const response = new Response("{}", { status: 200 });
    await expect(unwrap(Promise.resolve({ data: { id: 1 }, response }))).resolves.toEqual({
      id: 1,
    });
  });

  it("throws an ApiError carrying the status and the API's message", async () => {
    const response = new Response("", { status: 404 });
    const call = unwrap(Promise.resolve({ error: { detail: "Campaign not found" }, response }));
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(call).rejects.toMatchObject({ status: 404, message: "Campaign not found" });
  });

  it("treats an empty failing answer as an error too", async () => {
    const response = new Response(null, { status: 500 });
    await expect(unwrap(Promise.resolve({ response }))).rejects.toMatchObject({ status: 500 });
  });
});

describe("plan limits", () => {
  it("recognises the API's plan-limit 403s, not other refusals", () => {
    const limit = new ApiError(403, {
      detail: "Free plan limit reached: at most 2 campaigns. Upgrade to create more.",
    });
    expect(isPlanLimit(limit)).toBe(true);
    expect(
      isPlanLimit(new ApiError(403, { detail: "API access is not available on the Free plan" })),
    ).toBe(true);
    expect(isPlanLimit(new ApiError(403, { detail: "Missing or invalid CSRF token" }))).toBe(false);
    expect(isPlanLimit(new ApiError(409, { detail: "Free plan limit reached" }))).toBe(false);
    expect(isPlanLimitMessage(undefined)).toBe(false);
    expect(isPlanLimitMessage("Pro plan limit reached: at most 25 campaigns.")).toBe(true);
  });
});
