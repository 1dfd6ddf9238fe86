import { expect, test } from "@playwright/test";
import { expectAccessible, registerNewUser } from "./support";

const PUBLIC_PAGES = [
  "/login",
  "/register",
  "/forgot-password",
  "/reset-password?token=x",
  "/reset-password",
];
const APP_PAGES: Array<[string, string]> = [
  ["/", "Overview"],
  ["/accounts", "Ad accounts"],
  ["/campaigns", "Campaigns"],
  ["/campaigns/new", "New campaign"],
  ["/rules", "Rules"],
  ["/api-keys", "API keys"],
  ["/segments", "Segments"],
  ["/audiences", "Audiences"],
  ["/exports", "Exports"],
  ["/webhooks", "Webhooks"],
  ["/privacy", "Privacy"],
  ["/billing", "Billing"],
  ["/billing/cancel", "Checkout cancelled"],
  ["/settings", "Settings"],
  ["/no-such-page", "Page not found"],
];

test("every sign-in page passes axe-core with no serious or critical violation", async ({
  page,
}) => {
  for (const path of PUBLIC_PAGES) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page);
  }
});

test("every app page passes axe-core and is reachable by keyboard", async ({ page }) => {
  await registerNewUser(page, "a11y");
  for (const [path, text] of APP_PAGES) {
    await page.goto(path);
    await expect(page.getByText(text, { exact: true }).first()).toBeVisible();
    await page.waitForLoadState("networkidle");
    await expectAccessible(page);
  }
  // The skip link is the first stop of the keyboard, then the main navigation.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Overview", exact: true })).toBeFocused();
});
