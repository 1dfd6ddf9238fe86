import { expect, test } from "@playwright/test";
import { expectAccessible, registerNewUser, screenshot } from "./support";

test("API keys journey: create (raw key shown once, copy), list, revoke", async ({
  page,
  context,
}, info) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await registerNewUser(page, "keys");
  await page.getByRole("link", { name: "API keys", exact: true }).click();
  await expect(page.getByText("No API keys yet")).toBeVisible();
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByText("Name the key.")).toBeVisible();
  await page.getByLabel("Key name").fill("ci server");
  await page.getByRole("button", { name: "Create key" }).click();

  const raw = page.getByTestId("raw-key");
  await expect(raw).toHaveText(/^adscale_live_/);
  const key = (await raw.textContent()) ?? "";
  await page.getByRole("button", { name: "Copy key" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await expect(page.getByRole("cell", { name: "ci server" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "api-keys");

  await page.getByRole("button", { name: "Done" }).click();
  await page.reload();
  await expect(page.getByRole("cell", { name: "ci server" })).toBeVisible();
  await expect(page.getByText(key)).toHaveCount(0); // never shown again

  await page.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByText("No API keys yet")).toBeVisible();
});
