import { expect, test } from "@playwright/test";
import {
  connectAccount,
  createCampaign,
  expectAccessible,
  registerNewUser,
  screenshot,
} from "./support";

// Billing's success and cancel URLs (and the test checkout page) are on the stack's public
// address: the journey runs there, so the session cookie comes along on the way back.
test.use({ baseURL: process.env.ADSCALE_PUBLIC_URL ?? "http://localhost:8107" });

test("billing journey: a plan limit shows the upgrade path; upgrade to Pro through Checkout", async ({
  page,
}, info) => {
  test.setTimeout(150_000);
  await registerNewUser(page, "billing");
  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Current plan: Free" })).toBeVisible();
  await expect(page.getByText("Campaigns: 0 of 2")).toBeVisible();
  await expectAccessible(page);

  // Free allows 2 campaigns: the third is refused with the way to upgrade, not a bare 403.
  await connectAccount(page, {
    platform: "Google",
    externalId: "321-654-0987",
    name: "Google ads",
  });
  for (const name of ["First", "Second"]) {
    await createCampaign(page, { name, account: "Google ads (google)", budget: "10" });
  }
  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await page.getByRole("link", { name: "New campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Third");
  await page.getByLabel("Ad account").selectOption({ label: "Google ads (google)" });
  await page.getByLabel("Daily budget (USD)").fill("10");
  await page.getByRole("button", { name: "Create campaign" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "plan limit reached" });
  await expect(refusal).toContainText("at most 2 campaigns");
  await refusal.getByRole("link", { name: "See plans and upgrade" }).click();

  // Usage against the limit, then Checkout: on a development stack the app's test checkout
  // page stands in for Stripe's (billing's BILLING_DEV_CHECKOUT); its Pay has billing send the
  // signed webhook, and the browser returns to the app.
  await expect(page.getByText("Campaigns: 2 of 2")).toBeVisible();
  await expect(page.getByText("(limit reached)")).toBeVisible();
  await screenshot(page, info, "billing");
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page).toHaveURL(/\/billing\/dev-checkout\?token=/);
  const order = page.getByRole("region", { name: "Order" });
  await expect(order.getByRole("heading", { name: "AdScale Pro" })).toBeVisible();
  await expect(order).toContainText("$49.00 per month (USD)");
  await expect(order).toContainText("Checkout session cs_");
  await expectAccessible(page);
  await screenshot(page, info, "dev-checkout");
  await order.getByRole("button", { name: "Pay $49.00" }).click();
  await expect(page).toHaveURL(/\/billing\/success\?session_id=cs_/);
  await expect(page.getByRole("status")).toContainText("You are now on the Pro plan", {
    timeout: 60_000,
  });
  await expect(page.getByText(/· pro$/)).toBeVisible(); // the header's plan, from a new token
  await expectAccessible(page);

  await page.getByRole("link", { name: "Back to billing" }).click();
  await expect(page.getByRole("heading", { name: "Current plan: Pro" })).toBeVisible();
  await expect(page.getByText("Campaigns: 2 of 25")).toBeVisible();
  await expect(page.getByRole("button", { name: "Upgrade to Enterprise" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Manage subscription" })).toBeVisible();
  await screenshot(page, info, "billing-pro");

  // The limit is gone: the third campaign is created (once campaigns has the plan event).
  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await page.getByRole("link", { name: "New campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Third");
  await page.getByLabel("Ad account").selectOption({ label: "Google ads (google)" });
  await page.getByLabel("Daily budget (USD)").fill("10");
  await expect(async () => {
    await page.getByRole("button", { name: "Create campaign" }).click();
    await expect(page.getByRole("heading", { name: "Third" })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
});

test("leaving Checkout without paying returns to the app on the same plan", async ({ page }) => {
  await registerNewUser(page, "cancel");
  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page.getByRole("heading", { name: "AdScale Pro" })).toBeVisible();
  await page.getByRole("link", { name: "Back" }).click();
  await expect(page.getByRole("heading", { name: "Checkout cancelled" })).toBeVisible();
  await expect(page.getByText("You are still on the Free plan.")).toBeVisible();
});

test("a test checkout link of another user is refused on the page", async ({ page, browser }) => {
  await registerNewUser(page, "payer");
  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await page.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page.getByRole("heading", { name: "AdScale Pro" })).toBeVisible();
  const link = page.url();

  const other = await browser.newPage({ baseURL: new URL(link).origin });
  await registerNewUser(other, "intruder");
  await other.goto(link);
  await expect(other.getByText(/invalid, expired or not yours/)).toBeVisible();
  await expect(other.getByRole("button", { name: /Pay/ })).toHaveCount(0);
  await other.close();
});
