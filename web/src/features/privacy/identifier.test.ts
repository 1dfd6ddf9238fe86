import { describe, expect, it } from "vitest";
import { identifierProblem, isKind, personKey, shortHash } from "./identifier";

describe("privacy identifiers", () => {
  it("sends exactly the one identifier given, trimmed", () => {
    expect(personKey("email", "  Jane@Example.com ")).toEqual({ email: "Jane@Example.com" });
    expect(personKey("external_id", "c-1")).toEqual({ external_id: "c-1" });
  });

  it("names what is wrong before the request", () => {
    expect(identifierProblem("email", "")).toMatch(/Enter/);
    expect(identifierProblem("email", "not-an-email")).toMatch(/jane@example.com/);
    expect(identifierProblem("email", "jane@example.com")).toBeNull();
    expect(identifierProblem("phone", "12")).toMatch(/country code/);
    expect(identifierProblem("phone", "+1 (415) 555-0100")).toBeNull();
    expect(identifierProblem("external_id", " ")).toMatch(/Enter/);
    expect(identifierProblem("external_id", "cust-001")).toBeNull();
  });

  it("knows its kinds and shortens hashes", () => {
    expect(isKind("phone")).toBe(true);
    expect(isKind("fax")).toBe(false);
    expect(shortHash("a".repeat(64))).toBe(`${"a".repeat(12)}…`);
  });
});
