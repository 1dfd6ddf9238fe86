import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { createSegmentFromCsv, expectAccessible, registerNewUser, screenshot } from "./support";

const CSV = [
  "external_id,email,phone,country",
  "e-1,Ann@Example.com,+14155550100,US",
  "e-2,bob@example.com,,US",
].join("\n");

test("exports journey: start one, watch it finish, download from the signed link", async ({
  page,
}, info) => {
  await registerNewUser(page, "exports");
  await page.getByRole("link", { name: "Exports", exact: true }).click();
  await expect(page.getByText("No segment to export")).toBeVisible();
  await createSegmentFromCsv(page, "Export me", CSV);

  await page.getByRole("link", { name: "Exports", exact: true }).click();
  await page.getByRole("button", { name: "Start export" }).click();
  await expect(page.getByText("Choose a segment.")).toBeVisible();
  await page.getByLabel("Segment").selectOption({ label: "Export me (2)" });
  await page.getByLabel("Hash identifiers (SHA-256)").uncheck();
  await page.getByRole("button", { name: "Start export" }).click();
  const status = page.getByRole("region", { name: "Export" }).getByRole("status");
  await expect(status).toContainText("Ready:", { timeout: 60_000 });
  await expect(page).toHaveURL(/\?export=/);
  await expectAccessible(page);
  await screenshot(page, info, "exports");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  const file = readFileSync((await download.path()) ?? "", "utf8")
    .trim()
    .split("\n");
  expect(file[0]?.split(",")).toContain("email");
  expect(file).toHaveLength(3);
  expect(file.join("\n").toLowerCase()).toContain("ann@example.com"); // in clear, not hashed

  // A reload keeps following the same export.
  await page.reload();
  await expect(status).toContainText("Ready:");
});
