import { expect, test } from "@playwright/test";
import { createSegmentFromCsv, expectAccessible, registerNewUser, screenshot } from "./support";

const CSV = [
  "external_id,email,phone",
  "p-1,Gone@Example.com,+14155550123",
  "p-2,stays@example.com,",
].join("\n");

test("privacy journey: look a person up, erase them with a receipt, lift the suppression", async ({
  page,
}, info) => {
  await registerNewUser(page, "privacy");
  await createSegmentFromCsv(page, "Privacy list", CSV);
  // A person of the segment's People table, looked up on the Privacy page by their external id.
  const people = page.getByRole("region", { name: "People", exact: true });
  await people.getByRole("link", { name: "p-1", exact: true }).click();
  await expect(page).toHaveURL(/\/privacy\?external_id=p-1$/);
  const linked = page.getByRole("region", { name: "What AdScale holds" });
  await expect(linked.getByRole("heading", { name: "1 profile held" })).toBeVisible();
  await expect(page.getByLabel("Value")).toHaveValue("p-1");

  await page.getByRole("link", { name: "Privacy", exact: true }).click();
  await expect(page.getByText("No erasure yet")).toBeVisible();
  const value = page.getByLabel("Value");
  await value.fill("not-an-email");
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(page.getByText("An email like jane@example.com.")).toBeVisible();

  await value.fill("nobody@example.com");
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(page.getByText("AdScale holds nothing about this person")).toBeVisible();

  await value.fill("gone@example.com");
  await page.getByRole("button", { name: "Look up" }).click();
  const report = page.getByRole("region", { name: "What AdScale holds" });
  await expect(report.getByRole("heading", { name: "1 profile held" })).toBeVisible();
  await expect(report.getByRole("cell", { name: "p-1", exact: true })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "privacy");

  await page.getByRole("button", { name: "Erase this person…" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByLabel("Reason (kept on the receipt)").fill("GDPR art. 17 #42");
  await dialog.getByRole("button", { name: "Erase", exact: true }).click();
  await expect(page).toHaveURL(/\/privacy\/erasures\//);
  const status = page.getByRole("region", { name: "Erasure" }).getByRole("status");
  await expect(status).toContainText("Completed: 1 profile deleted", { timeout: 60_000 });
  await expect(page.getByText("GDPR art. 17 #42")).toBeVisible();
  await expect(page.getByText("gone@example.com")).toHaveCount(0); // hashes only
  await expectAccessible(page);
  await screenshot(page, info, "erasure-receipt");

  // The person is gone from the segment; the other one stays.
  await page.getByRole("link", { name: "Segments", exact: true }).click();
  const segmentRow = page.getByRole("row", { name: /Privacy list/ });
  await expect(segmentRow.getByRole("cell").nth(1)).toHaveText("1");

  await page.goBack();
  const emailRow = page.getByRole("row", { name: /^email/ });
  await emailRow.getByRole("button", { name: "Let back in…" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Lift" }).click();
  await expect(emailRow.getByRole("status")).toHaveText("let back in");

  await page.getByRole("link", { name: "All erasures" }).click();
  await expect(page.getByRole("table")).toContainText("completed");
});
