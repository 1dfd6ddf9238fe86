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
  await page.getByLabel("Name", { exact: true }).fill("Marathon runners");
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
  await expect(page.getByRole("cell", { name: headline, exact: true })).toBeVisible();

  // Edit the creative: the API's refusal lands beside its field; the change survives a reload.
  await page.getByRole("link", { name: `Edit ${headline}` }).click();
  await expect(page.getByRole("heading", { name: "Edit creative" })).toBeVisible();
  await expect(page.getByLabel("Headline")).toHaveValue(headline);
  await page.getByLabel("Headline").fill("Race day, lighter");
  await expect(page.getByText("17/30 characters")).toBeVisible();
  await page.getByLabel("Destination URL").fill("ftp://shop.example.com/cloudrunner");
  await page.getByRole("button", { name: "Save creative" }).click();
  await expect(page.getByText("URL must use http or https")).toBeVisible();
  await expect(page.getByLabel("Destination URL")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Destination URL").fill("https://shop.example.com/race");
  await page.getByLabel("Status").selectOption("paused");
  await expectAccessible(page);
  await screenshot(page, info, "creative-edit");
  await page.getByRole("button", { name: "Save creative" }).click();
  await expect(page.getByRole("heading", { name: "Marathon runners" })).toBeVisible();
  await page.reload();
  const edited = page.getByRole("row", { name: /Race day, lighter/ });
  await expect(edited).toContainText("paused");
  await expect(page.getByRole("cell", { name: headline, exact: true })).toHaveCount(0);

  // Edit the ad group: the form starts from its values; the change survives a reload.
  await page.getByRole("link", { name: "Edit ad group" }).click();
  await expect(page.getByLabel("Bid (USD)")).toHaveValue("1.25");
  await expect(page.getByLabel("Countries")).toHaveValue("US, DE");
  await expect(page.getByLabel("Interests")).toHaveValue("running, marathon");
  await page.getByLabel("Name").fill("Marathon runners EU");
  await page.getByLabel("Age from").fill("50");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("The upper age must be at least the lower one.")).toBeVisible();
  await page.getByLabel("Age from").fill("30");
  await page.getByLabel("Age to").fill("55");
  await page.getByLabel("Countries").fill("fr, es");
  await page.getByLabel("Bid strategy").selectOption({ label: "Target ROAS" });
  await expectAccessible(page);
  await screenshot(page, info, "ad-group-edit");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: "Marathon runners EU" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Marathon runners EU" })).toBeVisible();
  await expect(page.getByText("30-55")).toBeVisible();
  await expect(page.getByText("FR, ES")).toBeVisible();
  await expect(page.getByText("target_roas")).toBeVisible();

  await page.getByRole("link", { name: "← Running shoes" }).click();
  await expect(page.getByRole("link", { name: "Marathon runners EU" })).toBeVisible();
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("its 1 ad group(s)");
});
