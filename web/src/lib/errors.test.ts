import { describe, expect, it } from "vitest";
import {
  ApiError,
  isPlanLimit,
  isPlanLimitMessage,
  parseErrorBody,
  retryAfterSeconds,
  unwrap,
  waitSentence,
} from "./errors";

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

  it("says how long a 429 asks to wait (its Retry-After)", async () => {
    const response = new Response("", { status: 429, headers: { "Retry-After": "241" } });
    const call = unwrap(
      Promise.resolve({ error: { detail: "Rate limit exceeded; retry later" }, response }),
    );
    await expect(call).rejects.toMatchObject({
      status: 429,
      retryAfter: 241,
      message: "Rate limit exceeded; retry later. Try again in 5 minutes.",
    });
  });
});

describe("Retry-After", () => {
  it("reads delay-seconds and HTTP dates; anything else is no wait", () => {
    const now = Date.parse("2026-02-14T12:00:00Z");
    const headers = (value: string) => new Headers({ "Retry-After": value });
    expect(retryAfterSeconds(headers("30"), now)).toBe(30);
    expect(retryAfterSeconds(headers("Sat, 14 Feb 2026 12:01:30 GMT"), now)).toBe(90);
    expect(retryAfterSeconds(headers("soon"), now)).toBeNull();
    expect(retryAfterSeconds(new Headers(), now)).toBeNull();
    expect(retryAfterSeconds(undefined, now)).toBeNull();
  });

  it("words the wait in seconds under a minute, whole minutes above", () => {
    expect(waitSentence(1)).toBe("Try again in 1 second.");
    expect(waitSentence(45)).toBe("Try again in 45 seconds.");
    expect(waitSentence(60)).toBe("Try again in 1 minute.");
    expect(waitSentence(61)).toBe("Try again in 2 minutes.");
  });

  it("leaves the message of a 429 without Retry-After alone", () => {
    expect(new ApiError(429, {}).message).toBe("Too many requests: wait a moment and try again.");
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
