import { describe, expect, it } from "vitest";
import { type ChangePasswordValues, changePasswordSchema } from "./schema";

function problems(values: ChangePasswordValues): Record<string, string> {
  const parsed = changePasswordSchema.safeParse(values);
  if (parsed.success) return {};
  const found: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.join(".");
    found[path] ??= issue.message;
  }
  return found;
}

const VALID = {
  current_password: "correct horse 1",
  new_password: "battery staple 2",
  confirm: "battery staple 2",
};

describe("changePasswordSchema", () => {
  it("accepts a new password of 8 characters or more, typed twice, other than the current", () => {
    expect(problems(VALID)).toEqual({});
    expect(problems({ ...VALID, new_password: "12345678", confirm: "12345678" })).toEqual({});
  });

  it("asks for the current password", () => {
    expect(problems({ ...VALID, current_password: "" })).toEqual({
      current_password: "Enter your current password.",
    });
  });

  it("refuses a new password shorter than 8 characters, as register does", () => {
    expect(problems({ ...VALID, new_password: "1234567", confirm: "1234567" })).toEqual({
      new_password: "At least 8 characters.",
    });
  });

  it("refuses a repeated password that differs", () => {
    expect(problems({ ...VALID, confirm: "battery staple 3" })).toEqual({
      confirm: "The passwords differ.",
    });
  });

  it("refuses the current password as the new one", () => {
    const same = {
      ...VALID,
      new_password: VALID.current_password,
      confirm: VALID.current_password,
    };
    expect(problems(same)).toEqual({
      new_password: "The new password must differ from the current one.",
    });
  });

  it("says every problem at once (too short and not repeated)", () => {
    expect(problems({ current_password: "", new_password: "short", confirm: "" })).toEqual({
      current_password: "Enter your current password.",
      new_password: "At least 8 characters.",
      confirm: "The passwords differ.",
    });
  });
});
