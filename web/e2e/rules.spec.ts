import { expect, test } from "@playwright/test";
import {
  connectAccount,
  createCampaign,
  expectAccessible,
  metaLogin,
  registerNewUser,
  screenshot,
} from "./support";

test("rules journey: create, dry-run (what would happen now), execute, see the actions and the count", async ({
  page,
}, info) => {
  const meta = await metaLogin();
  await registerNewUser(page, "rules");
  await connectAccount(page, {
    platform: "Meta",
    externalId: meta.accountId,
    name: "Meta rules",
    token: meta.token,
  });
  await createCampaign(page, {
    name: "Always judged",
    account: "Meta rules (meta)",
    budget: "100",
    externalId: meta.campaignIds[0] ?? "",
    active: true,
  });

  await page.getByRole("link", { name: "Rules" }).click();
  await expect(page.getByText("No rules yet")).toBeVisible();
  await page.getByLabel("Name").fill("Pause under 1000x");
  await page.getByLabel("When").selectOption("pause_low_roas");
  await page.getByLabel("Threshold").fill("0");
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByText("The threshold must be more than 0.")).toBeVisible();
  await page.getByLabel("Threshold").fill("1000");
  await page.getByLabel("Days of metrics judged").fill("30");
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("link", { name: "Pause under 1000x" })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Pause under 1000x" }).click();
  await expect(page.getByText("Not executed yet")).toBeVisible();
  await page.getByRole("button", { name: "Dry run" }).click();
  const preview = page.getByRole("region", { name: "Dry run result" });
  await expect(preview).toContainText("1 would be changed");
  await expect(preview.getByRole("listitem")).toHaveCount(1);
  await expect(page.getByText("Not executed yet")).toBeVisible(); // a dry run changes nothing
  await expectAccessible(page);
  await screenshot(page, info, "rule-dry-run");

  await page.getByRole("button", { name: "Execute now" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Execute" }).click();
  await expect(page.getByRole("region", { name: "Execution result" })).toContainText("1 changed");
  await expect(page.getByRole("cell", { name: "manual" })).toBeVisible();

  await page.getByRole("link", { name: "Rules" }).click();
  await expect(
    page
      .getByRole("row", { name: /Pause under 1000x/ })
      .getByRole("cell")
      .last(),
  ).toHaveText("1");
  await page.getByRole("link", { name: "Campaigns" }).click();
  await expect(page.getByRole("row", { name: /Always judged/ })).toContainText("paused");

  // Edit the rule: the API's refusal beside its field; the change survives a reload.
  await page.getByRole("link", { name: "Rules" }).click();
  await page.getByRole("link", { name: "Pause under 1000x" }).click();
  await page.getByRole("link", { name: "Edit rule" }).click();
  await expect(page.getByLabel("Threshold")).toHaveValue("1000");
  await expect(page.getByLabel("Days of metrics judged")).toHaveValue("30");
  await page.getByLabel("Name").fill("Pause under 2x");
  await page.getByLabel("Threshold").fill("2.12345");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(/no more than 4 decimal places/)).toBeVisible();
  await expect(page.getByLabel("Threshold")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Threshold").fill("2");
  await page.getByLabel("Days of metrics judged").fill("14");
  await page.getByLabel("Run automatically on schedule").uncheck();
  await expectAccessible(page);
  await screenshot(page, info, "rule-edit");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: "Pause under 2x" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Pause under 2x" })).toBeVisible();
  await expect(page.getByText("Pause campaigns whose ROAS is below 2")).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: /^no$/ })).toBeVisible();
  await page.getByRole("link", { name: "Edit rule" }).click();
  await expect(page.getByLabel("Days of metrics judged")).toHaveValue("14");
  await expect(page.getByLabel("Run automatically on schedule")).not.toBeChecked();
});
