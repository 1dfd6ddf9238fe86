import { expect, test } from "@playwright/test";
import { expectAccessible, PASSWORD, registerNewUser, screenshot } from "./support";

test("sign-in journey: register, reload stays signed in, sign out, sign in, forgot and reset password", async ({
  page,
}, info) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expectAccessible(page);
  await screenshot(page, info, "sign-in");

  const email = await registerNewUser(page, "auth");
  await expect(page.getByText(`${email} · free`)).toBeVisible();

  await page.reload();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.reload();
  await expect(page).toHaveURL(/\/login$/); // signed out survives a reload too

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText(/invalid/i);

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();

  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expectAccessible(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("reset link");

  await page.goto("/reset-password?token=not-a-real-token");
  await expectAccessible(page);
  await page.getByLabel("New password", { exact: true }).fill("another password 2");
  await page.getByLabel("Repeat new password").fill("another password 2");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("alert")).toContainText(/invalid or expired/i);
  await screenshot(page, info, "reset-password");
});

test("register shows the API's errors next to the field", async ({ page }) => {
  const email = await registerNewUser(page, "dup");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/register");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText(/already/i);
  await expectAccessible(page);
});
