import { expect, test } from "@playwright/test";
import {
  connectAccount,
  createCampaign,
  expectAccessible,
  registerNewUser,
  screenshot,
} from "./support";

test("ad group and creative journey: targeting, bid strategy, generated copy within the platform's limits", async ({
  page,
}, info) => {
  await registerNewUser(page, "adgroups");
  await connectAccount(page, {
    platform: "Google",
    externalId: "555-010-2020",
    name: "Google search",
  });
  await createCampaign(page, {
    name: "Running shoes",
    account: "Google search (google)",
    budget: "50",
  });
  await expect(page.getByText("No ad groups in this campaign")).toBeVisible();

  await page.getByRole("link", { name: "New ad group" }).click();
  await page.getByLabel("Name").fill("Marathon runners");
  await page.getByLabel("Bid strategy").selectOption({ label: "Manual CPC" });
  await page.getByLabel("Age from").fill("25");
  await page.getByLabel("Age to").fill("45");
  await page.getByLabel("Interests").fill("running, marathon");
  await page.getByLabel("Countries").fill("us, de");
  await page.getByRole("button", { name: "Create ad group" }).click();
  await expect(page.getByText("Manual CPC needs a bid.")).toBeVisible();
  await page.getByLabel("Bid (USD)").fill("1.25");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create ad group" }).click();

  await expect(page.getByRole("heading", { name: "Marathon runners" })).toBeVisible();
  await expect(page.getByText("25-45")).toBeVisible();
  await expect(page.getByText("US, DE")).toBeVisible();
  await expect(page.getByText("No creatives yet")).toBeVisible();

  await page.getByLabel("Product name").fill("CloudRunner 5");
  await page
    .getByLabel("Product description")
    .fill("Light running shoes with a carbon plate for race day.");
  await page.getByLabel("Tone").fill("energetic");
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Copy generated" })).toBeVisible();
  const headline = await page.getByLabel("Headline").inputValue();
  expect(headline.length).toBeGreaterThan(0);
  expect(headline.length).toBeLessThanOrEqual(30); // Google's headline limit
  await expect(page.getByText(`${headline.length}/30 characters`)).toBeVisible();
  await page.getByLabel("Headline").fill("x".repeat(31));
  await expect(page.getByText("31/30 characters: too long")).toBeVisible();
  await page.getByLabel("Headline").fill(headline);
  await page.getByLabel("Destination URL").fill("https://shop.example.com/cloudrunner");
  await expectAccessible(page);
  await screenshot(page, info, "ad-group");
  await page.getByRole("button", { name: "Create creative" }).click();
  await expect(page.getByRole("cell", { name: headline })).toBeVisible();

  await page.getByRole("link", { name: "← Running shoes" }).click();
  await expect(page.getByRole("link", { name: "Marathon runners" })).toBeVisible();
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("its 1 ad group(s)");
});
