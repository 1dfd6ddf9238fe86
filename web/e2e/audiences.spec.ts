import { expect, test } from "@playwright/test";
import { expectAccessible, registerNewUser, screenshot } from "./support";

const CSV = [
  "external_id,email,phone,first_name,last_name,zip,country",
  "c-1,ann@example.com,+14155550100,Ann,Lee,94110,US",
  "c-2,bob@example.com,,Bob,Roe,10001,US",
  "c-3,not-an-email,,Cy,Doe,,US",
  "c-4,dee@example.com,+14155550104,Dee,Fox,73301,US",
].join("\n");

test("audiences journey: segment, CSV import, connect Meta by OAuth, audience, sync, history, job, delete", async ({
  page,
}, info) => {
  test.setTimeout(180_000);
  await registerNewUser(page, "audiences");

  // A segment, empty at first.
  await page.getByRole("link", { name: "Segments", exact: true }).click();
  await expect(page.getByText("No segments yet")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create segment" }).click();
  await expect(page.getByText("Name the segment.")).toBeVisible();
  await page.getByLabel("Segment name").fill("Loyal buyers");
  await page.getByRole("button", { name: "Create segment" }).click();
  await expect(page.getByRole("heading", { name: "Loyal buyers" })).toBeVisible();

  // CSV import: no file is refused on the form; a file is previewed, then imported with its
  // progress and invalid rows.
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByText("Choose a CSV file.")).toBeVisible();
  await page.getByLabel("CSV file").setInputFiles({
    name: "buyers.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(CSV),
  });
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByRole("region", { name: "Import preview" })).toContainText(
    "4 rows read, 3 people (3 new",
  );
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("progressbar", { name: /Upload/ })).toBeVisible();
  const report = page.getByRole("region", { name: "Import result" });
  await expect(report.getByRole("status")).toContainText("4 rows read: 3 new");
  await expect(report.getByRole("status")).toContainText("1 invalid");
  await expect(report.getByRole("cell", { name: "4", exact: true })).toBeVisible(); // line 4
  const coverage = page.getByRole("table", { name: "Identifier coverage" });
  await expect(coverage.getByRole("row", { name: /Email/ })).toContainText("3");
  // The imported people (the invalid row is not one), then one found by email in any case.
  const people = page.getByRole("region", { name: "People", exact: true });
  const everyone = people.getByRole("table", { name: "3 people", exact: true });
  await expect(everyone.getByRole("row", { name: /^c-1 ann@example\.com/ })).toContainText(
    "Ann Lee",
  );
  await expect(everyone.getByRole("link", { name: "c-4", exact: true })).toBeVisible();
  await people.getByLabel("Search people by id, email or phone").fill("BOB@example.com");
  await expect(
    people.getByRole("table", { name: "1 person matching “BOB@example.com”" }),
  ).toBeVisible();
  await expect(people.getByRole("link", { name: "c-2", exact: true })).toBeVisible();
  await expect(people.getByRole("link", { name: "c-1", exact: true })).toHaveCount(0);
  await people.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(everyone).toBeVisible();
  await expect(page.getByText("No platform is connected yet")).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "segment");
  const segmentUrl = page.url();

  // Connect Meta through the sandbox's consent page and back to the app.
  await page.getByRole("link", { name: "Audiences", exact: true }).click();
  await expect(page.getByText("No audiences yet")).toBeVisible();
  await page.getByRole("button", { name: "Connect Meta" }).click();
  await page.waitForURL(/\/audiences$/);
  const meta = page.getByRole("row", { name: /Meta/ });
  await expect(meta.getByText("connected")).toBeVisible();
  await expect(page.getByRole("button", { name: "Disconnect Meta" })).toBeVisible();

  // An audience from the segment; its first sync runs at once.
  await page.goto(segmentUrl);
  await page.getByRole("button", { name: "Create audience" }).click();
  await expect(page.getByText("Choose a platform.")).toBeVisible();
  await page.getByLabel("Platform", { exact: true }).selectOption({ label: "Meta" });
  await page.getByLabel("Platform ad account").selectOption({ index: 1 });
  await page.getByLabel("Audience name").fill("Loyal buyers (Meta)");
  await page.getByRole("button", { name: "Create audience" }).click();
  await expect(page.getByRole("heading", { name: "Loyal buyers (Meta)" })).toBeVisible();
  const progress = page.getByRole("region", { name: "Sync progress" });
  await expect(progress.getByRole("status")).toContainText("create · completed: 3 profiles sent");

  // Sync now (replace), followed live to the end.
  await page.getByLabel(/Replace/).check();
  await page.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByText(/Estimated: \d+ to add/)).toBeVisible();
  await expect(progress.getByRole("status")).toContainText(/replace · completed/, {
    timeout: 60_000,
  });
  await expect(progress.getByRole("progressbar")).toHaveAttribute("value", "100");

  // History with its chart, then a job's details.
  const history = page.getByRole("table", { name: "Sync history" });
  await expect(history.getByRole("row")).toHaveCount(3); // header + create + replace
  await expect(page.getByRole("figure", { name: "Match rate per sync" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "audience");
  await history.getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Sync job" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Identifiers" })).toContainText("email");
  await expectAccessible(page);
  await page.getByRole("link", { name: "its audience" }).click();

  // The audiences list searched by name (in the URL; a miss offers to clear), back to the audience.
  await page.getByRole("link", { name: "Audiences", exact: true }).click();
  const search = page.getByLabel("Search audiences by name");
  await search.fill("LOYAL");
  await expect(page.getByText("1 audience matching “LOYAL”")).toBeVisible();
  await expect(page).toHaveURL(/\/audiences\?q=LOYAL$/);
  await search.fill("no such audience");
  await expect(page.getByText("No audience matches “no such audience”")).toBeVisible();
  await page.getByRole("button", { name: "Clear the search" }).click();
  await expect(page.getByText("1 audience", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Loyal buyers (Meta)" }).click();

  // The segment cannot go while the audience uses it; the audience goes, kept on the platform.
  await page.getByRole("link", { name: "Loyal buyers", exact: true }).click();
  await page.getByRole("button", { name: "Delete segment" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete segment" }).click();
  await expect(page.getByRole("alertdialog").getByRole("alert")).toBeVisible();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("link", { name: "Loyal buyers (Meta)" }).click();
  await page.getByRole("button", { name: "Delete audience" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByLabel("Also delete it on Meta").uncheck();
  await dialog.getByRole("button", { name: "Delete audience" }).click();
  await expect(page.getByText("No audiences yet")).toBeVisible();
});

test("a platform's refused consent is shown, and another user's audience is not found", async ({
  page,
}) => {
  await registerNewUser(page, "oauth");
  await page.goto("/oauth/meta/callback?error=access_denied&error_description=User+denied");
  await expect(page.getByRole("alert")).toContainText("Meta said: User denied");
  await page.goto("/oauth/meta/callback?code=forged&state=forged");
  await expect(page.getByRole("alert")).toContainText(/state/i);
  await page.goto("/audiences/00000000-0000-4000-8000-000000000000");
  await expect(page.getByText("Audience not found")).toBeVisible();
});
