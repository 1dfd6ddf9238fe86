import { describe, expect, it } from "vitest";
import { accountEditSchema, accountLabel, editValuesOf, reasonOf, updateBody } from "./accountForm";
import { ACTIVE_ACCOUNT as ACCOUNT } from "./testAccounts";

describe("updateBody", () => {
  it("sends nothing when nothing changed", () => {
    expect(updateBody(ACCOUNT, editValuesOf(ACCOUNT))).toEqual({});
  });

  it("sends only the changed fields", () => {
    const values = { ...editValuesOf(ACCOUNT), time_zone: "Europe/Paris" };
    expect(updateBody(ACCOUNT, values)).toEqual({ time_zone: "Europe/Paris" });
    expect(updateBody(ACCOUNT, { ...values, account_name: " Meta EU " })).toEqual({
      account_name: "Meta EU",
      time_zone: "Europe/Paris",
    });
  });

  it("clears an emptied name with null and names an unnamed account", () => {
    expect(updateBody(ACCOUNT, { ...editValuesOf(ACCOUNT), account_name: "" })).toEqual({
      account_name: null,
    });
    const unnamed = { ...ACCOUNT, account_name: null };
    expect(updateBody(unnamed, editValuesOf(unnamed))).toEqual({});
    expect(updateBody(unnamed, { ...editValuesOf(unnamed), account_name: "Meta" })).toEqual({
      account_name: "Meta",
    });
  });

  it("sends a new token only when one is given", () => {
    expect(updateBody(ACCOUNT, { ...editValuesOf(ACCOUNT), access_token: "  " })).toEqual({});
    expect(updateBody(ACCOUNT, { ...editValuesOf(ACCOUNT), access_token: "EAAB" })).toEqual({
      access_token: "EAAB",
    });
  });
});

describe("accountEditSchema", () => {
  it("needs a token to reconnect but not to edit", () => {
    const values = editValuesOf(ACCOUNT);
    expect(accountEditSchema(false).safeParse(values).success).toBe(true);
    const refused = accountEditSchema(true).safeParse(values);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(["access_token"]);
    expect(accountEditSchema(true).safeParse({ ...values, access_token: "EAAB" }).success).toBe(
      true,
    );
  });

  it("needs a time zone", () => {
    const refused = accountEditSchema(false).safeParse({
      ...editValuesOf(ACCOUNT),
      time_zone: " ",
    });
    expect(refused.error?.issues[0]?.message).toMatch(/time zone/);
  });
});

describe("reasonOf", () => {
  it("splits a platform error into its message and its codes", () => {
    expect(
      reasonOf("TokenExpired code=190 subcode=460 http=401: Error validating access token"),
    ).toEqual({
      message: "Error validating access token",
      detail: "TokenExpired code=190 subcode=460 http=401",
    });
  });

  it("keeps a sentence as it is, and says something when no reason was recorded", () => {
    const unreadable =
      "The stored access token can't be decrypted with the configured keys (CAMPAIGNS_ENCRYPTION_KEYS); reconnect the account with a new token";
    expect(reasonOf(unreadable)).toEqual({ message: unreadable, detail: null });
    expect(reasonOf(null).message).toMatch(/access token/);
  });
});

describe("accountLabel", () => {
  it("is the name, else the platform's id", () => {
    expect(accountLabel(ACCOUNT)).toBe("Meta main");
    expect(accountLabel({ ...ACCOUNT, account_name: null })).toBe("1234567890");
  });
});
