import { expect, test } from "@playwright/test";
import {
  connectAccount,
  expectAccessible,
  metaLogin,
  registerNewUser,
  screenshot,
} from "./support";

test("campaign journey: connect Meta, create a linked campaign, refresh metrics, edit, see the overview, delete", async ({
  page,
}, info) => {
  const meta = await metaLogin();
  await registerNewUser(page, "campaigns");
  await expect(page.getByText("No campaigns yet")).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Campaigns" }).click();
  await expect(page.getByText("No campaigns yet")).toBeVisible();
  await page.getByRole("link", { name: "New campaign" }).click();
  await expect(page.getByText("A campaign needs an ad account")).toBeVisible();

  await connectAccount(page, {
    platform: "Meta",
    externalId: meta.accountId,
    name: "Meta main",
    token: meta.token,
  });
  await expect(page.getByRole("cell", { name: "active" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "ad-accounts");

  await page.getByRole("link", { name: "Campaigns" }).click();
  await page.getByRole("link", { name: "New campaign" }).click();
  await page.getByLabel("Name").fill("Spring sale");
  await page.getByLabel("Ad account").selectOption({ label: "Meta main (meta)" });
  await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Daily budget (USD)").fill("0");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.getByText("The budget must be more than 0.")).toBeVisible();
  await page.getByLabel("Daily budget (USD)").fill("25.50");
  await page.getByLabel("Platform campaign id").fill(meta.campaignIds[0] ?? "");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create campaign" }).click();

  await expect(page.getByRole("heading", { name: "Spring sale" })).toBeVisible();
  await expect(page.getByText("$25.50 per day")).toBeVisible();
  await expect(page.getByText("No metrics yet")).toBeVisible();
  await page.getByRole("button", { name: "Refresh from the platform" }).click();
  await expect(page.getByRole("status").filter({ hasText: "days updated" })).toBeVisible();
  await expect(page.getByRole("table").first().getByRole("row")).not.toHaveCount(1);
  await expect(page.getByRole("figure", { name: "Spend and revenue per day" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "campaign-detail");

  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Lifetime").check();
  await page.getByLabel("Lifetime budget (USD)").fill("900");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("$900.00 lifetime")).toBeVisible();

  await page.getByRole("link", { name: "Campaigns" }).click();
  await expect(page.getByRole("link", { name: "Spring sale" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "$900.00 lifetime" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "campaigns");

  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByText("Spend", { exact: true })).toBeVisible();
  await expect(page.getByRole("figure", { name: /all campaigns/ })).toBeVisible();
  await expect(page.locator(".tile-value").first()).not.toHaveText("$0.00");
  await expectAccessible(page);
  await screenshot(page, info, "overview");

  await page.getByRole("link", { name: "Campaigns" }).click();
  await page.getByRole("link", { name: "Spring sale" }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText(
    "its 0 ad group(s), their creatives and all of this campaign's daily metrics",
  );
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Delete campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(page.getByText("No campaigns yet")).toBeVisible();
});

test("accounts journey: connect, list, disconnect with the cascade named", async ({
  page,
}, info) => {
  await registerNewUser(page, "accounts");
  await page.getByRole("link", { name: "Ad accounts" }).click();
  await expect(page.getByText("No ad accounts yet")).toBeVisible();
  await connectAccount(page, {
    platform: "Google",
    externalId: "123-456-7890",
    name: "Google brand",
  });
  await page.getByLabel("Account id on the platform").fill("123-456-7890");
  await page.getByLabel("Platform", { exact: true }).selectOption({ label: "Google" });
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page.getByRole("alert")).toBeVisible(); // the API's 409, shown on the form
  await page.getByRole("button", { name: "Disconnect" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("together with its campaigns");
  await dialog.getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("No ad accounts yet")).toBeVisible();
  await screenshot(page, info, "ad-accounts-empty");
});
