import { expect, test } from "@playwright/test";
import { expectAccessible, registerNewUser, screenshot } from "./support";

// A Mailchimp audience export: no id column (people are keyed on their email), semicolons
// as a European spreadsheet saves them, a column no field claims.
const MAILCHIMP = [
  "Email Address;First Name;Last Name;Phone Number;MEMBER_RATING;REGION;TAGS",
  "ann@example.com;Ann;Lee;+1 415 555 0100;4;CA;vip",
  "bob@example.com;Bob;Roe;;2;NY;",
  "cy@example.com;Cy;Doe;+1 415 555 0102;3;CA;newsletter",
  "not-an-email;Dee;Fox;;1;TX;",
].join("\r\n");

test("import preview journey: a Mailchimp export read, its columns shown, one ignored, imported", async ({
  page,
}, info) => {
  await registerNewUser(page, "preview");
  await page.getByRole("link", { name: "Segments", exact: true }).click();
  await page.getByLabel("Segment name").fill("Newsletter");
  await page.getByRole("button", { name: "Create segment" }).click();
  await expect(page.getByRole("heading", { name: "Newsletter" })).toBeVisible();

  await page.getByLabel("CSV file").setInputFiles({
    name: "members_export.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(MAILCHIMP),
  });
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  const preview = page.getByRole("region", { name: "Import preview" });
  await expect(preview.getByRole("status")).toContainText("4 rows read, 3 people (3 new");
  await expect(preview.getByRole("status")).toContainText("1 invalid");
  await expect(preview).toContainText("semicolon-separated, CRLF line ends");
  const columns = preview.getByRole("table", { name: "Columns" });
  await expect(columns.getByRole("row", { name: /Email Address/ })).toContainText(
    "email (known export header)",
  );
  await expect(columns.getByRole("row", { name: /MEMBER_RATING/ })).toContainText(
    "trait:member_rating (not a known field",
  );
  await expect(page.getByRole("combobox", { name: "Import Phone Number as" })).toHaveValue("phone");
  const found = preview.getByRole("table", { name: "Identifiers of the people found" });
  await expect(found.getByRole("row", { name: /Email/ })).toContainText("3");
  await expect(preview.getByRole("table", { name: "Invalid rows (samples)" })).toBeVisible();
  // Nothing is written by the preview.
  await expect(page.getByText("0 profiles ·")).toBeVisible();

  // Ignore the phone column; the preview again shows no phone, then the import.
  await page.getByRole("combobox", { name: "Import Phone Number as" }).selectOption("ignore");
  await page.getByRole("button", { name: "Preview again" }).click();
  await expect(columns.getByRole("row", { name: /Phone Number/ })).toContainText(
    "ignore (your choice)",
  );
  await expect(found.getByRole("row", { name: /Phone/ })).toContainText("0");
  await expectAccessible(page);
  await screenshot(page, info, "import-preview");

  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("progressbar", { name: /Upload/ })).toBeVisible();
  const report = page.getByRole("region", { name: "Import result" });
  await expect(report.getByRole("status")).toContainText("The segment holds 3 profiles");
  await expect(page.getByText("3 profiles ·")).toBeVisible();
  const coverage = page.getByRole("table", { name: "Identifier coverage" });
  await expect(coverage.getByRole("row", { name: /Email/ })).toContainText("3");
  await expect(coverage.getByRole("row", { name: /Phone/ })).toContainText("0");

  // Ignoring the only identifier leaves nothing to key people on: the API's refusal is shown.
  await page.getByRole("button", { name: "Preview again" }).click();
  await page.getByRole("combobox", { name: "Import Email Address as" }).selectOption("ignore");
  await page.getByRole("button", { name: "Preview again" }).click();
  await expect(page.getByRole("alert")).toContainText("No column holds an external id");
  await expect(page.getByRole("button", { name: "Import", exact: true })).toBeDisabled();
  // The columns stay on screen to be changed back.
  await page.getByRole("combobox", { name: "Import Email Address as" }).selectOption("email");
  await page.getByRole("button", { name: "Preview again" }).click();
  await expect(preview.getByRole("status")).toContainText("0 new, 3 already in the segment");
});
