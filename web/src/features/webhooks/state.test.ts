import { describe, expect, it } from "vitest";
import { previousSecretValid, stateLabel, stateSentence } from "./state";

const enabled = { enabled: true, disabled_reason: null, disabled_at: null };

describe("webhook state", () => {
  it("reads enabled, and disabled with the reason the API gives", () => {
    expect(stateLabel(enabled)).toBe("enabled");
    expect(stateSentence(enabled)).toBe("Events are delivered to this URL.");
    const failing = {
      enabled: false,
      disabled_reason: "failing" as const,
      disabled_at: "2026-02-14T12:34:56Z",
    };
    expect(stateLabel(failing)).toBe("disabled (failing)");
    expect(stateSentence(failing)).toBe(
      "Turned off after its deliveries kept failing on Feb 14, 2026, 12:34 PM UTC: nothing is sent until it is enabled again.",
    );
    const manual = { enabled: false, disabled_reason: "manual" as const, disabled_at: null };
    expect(stateLabel(manual)).toBe("disabled (manual)");
    expect(stateSentence(manual)).toMatch(/^Turned off by you: nothing is sent/);
    expect(stateSentence({ ...manual, disabled_reason: "gone" })).toMatch(/410 Gone/);
  });

  it("knows whether the previous secret still signs", () => {
    const now = new Date("2026-02-14T12:00:00Z");
    expect(previousSecretValid(null, now)).toBe(false);
    expect(previousSecretValid("2026-02-15T12:00:00Z", now)).toBe(true);
    expect(previousSecretValid("2026-02-14T11:59:59Z", now)).toBe(false);
  });
});
