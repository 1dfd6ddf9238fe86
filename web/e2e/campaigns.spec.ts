import { expect, test } from "@playwright/test";
import {
  connectAccount,
  createCampaign,
  expectAccessible,
  metaLogin,
  newMetaAdvertiser,
  registerNewUser,
  revokeToken,
  screenshot,
} from "./support";

test("campaign journey: connect Meta, create a linked campaign, refresh metrics, edit, search the list, see the overview, follow its range to the campaign, delete", async ({
  page,
}, info) => {
  const meta = await metaLogin();
  await registerNewUser(page, "campaigns");
  await expect(page.getByText("No campaigns yet")).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
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

  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await page.getByRole("link", { name: "New campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Spring sale");
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
  const totals = page.getByRole("region", { name: "Campaign totals" });
  await expect(totals.getByText("Spend", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Last 30 days" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expectAccessible(page);
  await screenshot(page, info, "campaign-detail");
  // A shorter range: the table, its caption and the totals follow it.
  const before = await totals.locator(".tile-value").first().textContent();
  await page.getByRole("button", { name: "Last 7 days" }).click();
  await expect(page.getByRole("heading", { name: /^Daily metrics, / })).toBeVisible();
  await expect(page.getByText("7 days", { exact: true })).toBeVisible();
  await expect(page.getByRole("table").first().getByRole("row")).toHaveCount(8);
  await expect(totals.locator(".tile-value").first()).not.toHaveText(before ?? "");

  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Lifetime").check();
  await page.getByLabel("Lifetime budget (USD)").fill("900");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("$900.00 lifetime")).toBeVisible();

  // A second campaign, then the list searched by name: in the URL, kept by a reload, cleared.
  await createCampaign(page, {
    name: "Winter clearance",
    account: "Meta main (meta)",
    budget: "10",
  });
  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await expect(page.getByRole("link", { name: "Spring sale" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Winter clearance" })).toBeVisible();
  const search = page.getByLabel("Search campaigns by name");
  await search.fill("SPRING");
  await expect(page).toHaveURL(/\/campaigns\?q=SPRING$/);
  await expect(page.getByText("1 campaign matching “SPRING”")).toBeVisible();
  await expect(page.getByRole("link", { name: "Winter clearance" })).toHaveCount(0);
  await expect(page.getByRole("cell", { name: "$900.00 lifetime" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "campaigns");
  await page.reload();
  await expect(search).toHaveValue("SPRING");
  await expect(page.getByRole("link", { name: "Spring sale" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Winter clearance" })).toHaveCount(0);
  await search.fill("autumn");
  await expect(page).toHaveURL(/\/campaigns\?q=autumn$/);
  await expect(page.getByText("No campaign matches “autumn”")).toBeVisible();
  await page.getByRole("button", { name: "Clear the search" }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(search).toHaveValue("");
  await expect(page.getByRole("link", { name: "Winter clearance" })).toBeVisible();
  await search.fill("winter");
  await expect(page.getByRole("link", { name: "Spring sale" })).toHaveCount(0);
  await page.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(page.getByRole("link", { name: "Spring sale" })).toBeVisible();

  // The list's metric columns over another range: in the URL, kept by a reload.
  const springSpend = page
    .getByRole("row", { name: /Spring sale/ })
    .getByRole("cell")
    .nth(6);
  await expect(page.getByRole("columnheader", { name: "Last 30 days" })).toBeVisible();
  await expect(springSpend).toHaveText(/^\$/);
  const monthSpend = await springSpend.textContent();
  await page.getByRole("button", { name: "Last 7 days" }).click();
  await expect(page).toHaveURL(/\/campaigns\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByRole("columnheader", { name: "Last 7 days" })).toBeVisible();
  await expect(springSpend).toHaveText(/^\$/);
  const weekSpend = await springSpend.textContent();
  expect(weekSpend).not.toBe(monthSpend);
  await expectAccessible(page);
  await page.reload();
  await expect(page.getByRole("button", { name: "Last 7 days" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(springSpend).toHaveText(weekSpend ?? "");

  // The navigation carries the list's range to the Overview; the last 30 days again there take it
  // out of the URL.
  await page.getByRole("link", { name: "Overview", exact: true }).click();
  await expect(page).toHaveURL(/\/\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByRole("button", { name: "Last 7 days" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await page.getByRole("button", { name: "Last 30 days" }).click();
  await expect(page).toHaveURL(/^https?:\/\/[^/]+\/$/);
  await expect(
    page.getByRole("region", { name: "Totals" }).getByText("Spend", { exact: true }),
  ).toBeVisible();
  await expect(page.getByRole("figure", { name: /all campaigns/ })).toBeVisible();
  await expect(page.locator(".tile-value").first()).not.toHaveText("$0.00");
  const inRange = page.getByRole("region", { name: "Campaigns in this range" });
  await expect(inRange.getByRole("link", { name: "Spring sale" })).toBeVisible();
  await expect(inRange.getByText("1 campaign with metrics, most spend first")).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "overview");

  // The range chosen on the Overview follows a campaign's link, and its page's way back.
  await page.getByRole("button", { name: "Last 7 days" }).click();
  await expect(page).toHaveURL(/\/\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  await inRange.getByRole("link", { name: "Spring sale" }).click();
  await expect(page.getByRole("heading", { name: "Spring sale" })).toBeVisible();
  await expect(page).toHaveURL(/\/campaigns\/[^/?]+\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByRole("button", { name: "Last 7 days" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(page.getByText("7 days", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "← Campaigns" }).click();
  await expect(page.getByRole("columnheader", { name: "Last 7 days" })).toBeVisible();

  await page.getByRole("link", { name: "Spring sale" }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText(
    "its 0 ad group(s), their creatives and all of this campaign's daily metrics",
  );
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Delete campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByRole("link", { name: "Winter clearance" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Spring sale" })).toHaveCount(0);
});

test("accounts journey: connect, list, edit name and time zone, disconnect with the cascade named", async ({
  page,
}, info) => {
  await registerNewUser(page, "accounts");
  await page.getByRole("link", { name: "Ad accounts", exact: true }).click();
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

  // Edit: rename and move to another time zone; the API's refusal lands under its field.
  const row = page.getByRole("row", { name: /Google brand/ });
  await expect(row.getByRole("cell", { name: "UTC", exact: true })).toBeVisible();
  await expect(row).toContainText("No access token: metrics can't be fetched.");
  await row.getByRole("button", { name: "Edit Google brand" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Google brand" });
  await edit.getByLabel("Name").fill("Google brand EU");
  await edit.getByLabel("Time zone").fill("Mars/Olympus_Mons");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit.getByRole("alert")).toContainText("is not an IANA time zone");
  await expect(edit.getByLabel("Time zone")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await edit.getByLabel("Time zone").fill("Europe/Paris");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  const renamed = page.getByRole("row", { name: /Google brand EU/ });
  await expect(renamed.getByRole("cell", { name: "Google brand EU", exact: true })).toBeVisible();
  await expect(renamed.getByRole("cell", { name: "Europe/Paris" })).toBeVisible();
  await page.reload();
  await expect(renamed.getByRole("cell", { name: "Europe/Paris" })).toBeVisible();

  await page.getByRole("button", { name: "Disconnect Google brand EU" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("together with its campaigns");
  await dialog.getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("No ad accounts yet")).toBeVisible();
  await screenshot(page, info, "ad-accounts-empty");
});

test("reconnect journey: a revoked token disconnects the account, the page says why, a new token reconnects it", async ({
  page,
}, info) => {
  const meta = await newMetaAdvertiser(page, "reconnect", "Meta main");
  await connectAccount(page, {
    platform: "Google",
    externalId: "123-456-7890",
    name: "Google brand",
  });
  await createCampaign(page, {
    name: "Summer sale",
    account: "Meta main (meta)",
    budget: "40",
    externalId: meta.campaignIds[0] ?? "",
    active: true,
  });

  // The user removes AdScale's access on Meta: the next metrics fetch is refused.
  await revokeToken("meta", meta.token);
  await page.getByRole("button", { name: "Refresh from the platform" }).click();
  const refused = page.getByRole("alert");
  await expect(refused).toContainText("the account is now disconnected");
  await refused.getByRole("link", { name: "Reconnect it on the Ad accounts page" }).click();
  const row = page.getByRole("row", { name: /Meta main/ });
  await expect(row.getByText("disconnected", { exact: true })).toBeVisible();
  await expect(row).toContainText("Platform error:");
  await expect(row.getByRole("button", { name: "Edit Meta main" })).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, info, "ad-accounts");

  // Disconnect still says what it deletes, and points to Reconnect instead.
  await row.getByRole("button", { name: "Disconnect Meta main" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Disconnect Meta main?" });
  await expect(confirm).toContainText("together with its campaigns");
  await expect(confirm).toContainText("reconnect the account with a new access token instead");
  await confirm.getByRole("button", { name: "Cancel" }).click();

  await row.getByRole("button", { name: "Reconnect Meta main" }).click();
  const dialog = page.getByRole("dialog", { name: "Reconnect Meta main" });
  await expect(dialog).toContainText("Platform error:");
  await dialog.getByRole("button", { name: "Reconnect" }).click();
  await expect(
    dialog.getByText("Paste a new access token to reconnect the account."),
  ).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "ad-account-reconnect", { fullPage: false });

  // The same Meta user consents again: a new token for the same ad account.
  const again = await metaLogin(meta.user);
  expect(again.accountId).toBe(meta.accountId);
  expect(again.token).not.toBe(meta.token);
  await dialog.getByLabel("New access token").fill(again.token);
  await dialog.getByRole("button", { name: "Reconnect" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText("active", { exact: true })).toBeVisible();
  await expect(row).not.toContainText("Platform error:");
  await expect(row.getByRole("button", { name: "Edit Meta main" })).toBeVisible();

  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await page.getByRole("link", { name: "Summer sale" }).click();
  await page.getByRole("button", { name: "Refresh from the platform" }).click();
  await expect(page.getByRole("status").filter({ hasText: "days updated" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
});
