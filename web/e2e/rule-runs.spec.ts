import { expect, test } from "@playwright/test";
import {
  accessTokenOf,
  createCampaign,
  expectAccessible,
  newMetaAdvertiser,
  screenshot,
} from "./support";

const DAY_MS = 86_400_000;
const isoDaysAgo = (days: number) =>
  new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);

test("rule runs: the history, a run's objects with their verdicts and push, undo, backtest", async ({
  page,
  context,
}, info) => {
  const meta = await newMetaAdvertiser(page, "runs", "Meta runs");
  // Linked to the platform, with the last days' metrics: the rule pauses it.
  await createCampaign(page, {
    name: "Bleeder",
    account: "Meta runs (meta)",
    budget: "100",
    externalId: meta.campaignIds[0] ?? "",
    active: true,
  });
  // No metrics: no ROAS, no spend; the rule judges it and leaves it alone.
  await createCampaign(page, {
    name: "Unlinked",
    account: "Meta runs (meta)",
    budget: "50",
    active: true,
  });

  // The rule through the API (the rule form is not what this journey is about); not
  // scheduled, so only this test runs it.
  const created = await page.request.post("/api/v1/rules", {
    headers: { Authorization: `Bearer ${await accessTokenOf(page)}` },
    data: {
      name: "Stop bleeders",
      rule_type: "pause_low_roas",
      threshold: 1000,
      is_active: false,
      conditions: {
        filters: [
          { metric: "roas", operator: "<", value: 1000, window: "last_7_days" },
          { metric: "spend", operator: ">", value: 0, window: "last_7_days" },
        ],
        action: { type: "pause" },
      },
    },
  });
  expect(created.status()).toBe(201);
  const ruleId = ((await created.json()) as { id: string }).id;

  // A dry run, then a real run: both in the history, newest first.
  await page.goto(`/rules/${ruleId}`);
  const history = page.getByRole("region", { name: "Run history" });
  await expect(history.getByText("Not executed yet")).toBeVisible();
  await page.getByRole("button", { name: "Dry run" }).click();
  await expect(history.getByRole("cell", { name: "dry run" })).toBeVisible();
  await expect(history.getByText("Not executed yet: dry runs only")).toBeVisible();
  await page.getByRole("button", { name: "Execute now" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Execute" }).click();
  await expect(history.getByRole("cell", { name: "manual" })).toBeVisible();
  await expect(history.getByRole("row")).toHaveCount(3);
  await expect(history.getByRole("row").nth(1)).toContainText("manual");
  await expect(history.getByRole("row").nth(2)).toContainText("dry run");
  await expect(history.getByRole("row").nth(2)).toContainText("1 (would)");
  await expectAccessible(page);

  // The executed run: each object with its filters' values and verdicts, the change, the push.
  await history
    .getByRole("row", { name: /manual/ })
    .getByRole("link")
    .click();
  await expect(page.getByRole("heading", { name: "Run of Stop bleeders" })).toBeVisible();
  const runUrl = page.url();
  const bleeder = page.getByRole("row", { name: /Bleeder/ });
  await expect(bleeder).toContainText("applied");
  await expect(bleeder).toContainText(/ROAS [\d.,]+ < 1,000\s*✓/);
  await expect(bleeder).toContainText(/Spend \$[\d.,]+ > \$0\.00\s*✓/);
  await expect(bleeder).toContainText("active → paused");
  await expect(bleeder).toContainText("succeeded");
  await expect(bleeder.getByRole("link", { name: "Bleeder" })).toHaveAttribute(
    "href",
    /\/campaigns\//,
  );
  const unlinked = page.getByRole("row", { name: /Unlinked/ });
  await expect(unlinked).toContainText("no match");
  await expect(unlinked).toContainText(/ROAS n\/a < 1,000\s*✗/);
  const filter = page.getByRole("navigation", { name: "Filter by outcome" });
  await expect(filter.getByRole("link", { name: "Applied (1)" })).toBeVisible();
  await expect(filter.getByRole("link", { name: "No match (1)" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, info, "rule-run");

  // Filter by outcome.
  await filter.getByRole("link", { name: "No match (1)" }).click();
  await expect(page).toHaveURL(/outcome=no_match/);
  await expect(page.getByRole("row", { name: /Unlinked/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Bleeder/ })).toHaveCount(0);
  await filter.getByRole("link", { name: /^Skipped/ }).click();
  await expect(page.getByText("No object with the outcome “skipped”")).toBeVisible();
  await filter.getByRole("link", { name: /^Applied/ }).click();
  await expect(page.getByRole("row", { name: /Bleeder/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Unlinked/ })).toHaveCount(0);

  // A second tab still showing the run as it was before the undo.
  const stale = await context.newPage();
  await stale.goto(runUrl);
  await expect(stale.getByRole("button", { name: "Undo this run" })).toBeVisible();

  // Undo, after confirming: the run is marked undone and the campaign is active again.
  await page.getByRole("button", { name: "Undo this run" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Undo this run?" });
  await expect(dialog).toContainText("here and on the ad platform");
  await expect(dialog).toContainText("Bleeder: paused → active");
  await dialog.getByRole("button", { name: "Undo run" }).click();
  await expect(page.getByText(/^Undone on/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Undo this run" })).toHaveCount(0);
  await expect(page.getByRole("row", { name: /Bleeder/ })).toContainText("undone");

  // The stale tab's undo is refused with the API's message.
  await stale.getByRole("button", { name: "Undo this run" }).click();
  const staleDialog = stale.getByRole("alertdialog", { name: "Undo this run?" });
  await staleDialog.getByRole("button", { name: "Undo run" }).click();
  await expect(staleDialog.getByRole("alert")).toHaveText("This run was already undone");
  await staleDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(stale.getByText(/^Undone on/)).toBeVisible();
  await expect(stale.getByRole("button", { name: "Undo this run" })).toHaveCount(0);
  await stale.close();

  // The rule's history: the undo, and the run it undid marked as such.
  await page.getByRole("link", { name: "Stop bleeders" }).click();
  await expect(history.getByRole("row")).toHaveCount(4);
  await expect(history.getByRole("row").nth(1)).toContainText("undo");
  await expect(history.getByRole("row", { name: /manual/ })).toContainText("undone");

  // The undo is a run of its own: what it put back, pushed to the platform too.
  await history.getByRole("row").nth(1).getByRole("link").click();
  await expect(page.getByRole("link", { name: "the run it put back" })).toHaveAttribute(
    "href",
    new URL(runUrl).pathname,
  );
  await expect(page.getByRole("row", { name: /Bleeder/ })).toContainText("paused → active");
  await expect(page.getByRole("row", { name: /Bleeder/ })).toContainText("succeeded");
  await expect(page.getByRole("button", { name: "Undo this run" })).toHaveCount(0);

  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await expect(page.getByRole("row", { name: /Bleeder/ })).toContainText("active");

  // Backtest over the last 30 days: the rule would have paused the campaign once.
  await page.goto(`/rules/${ruleId}`);
  const backtest = page.getByRole("region", { name: "Backtest" });
  await expect(backtest.getByLabel("From", { exact: true })).toHaveValue(isoDaysAgo(29));
  await expect(backtest.getByLabel("To", { exact: true })).toHaveValue(isoDaysAgo(0));
  await backtest.getByRole("button", { name: "Run backtest" }).click();
  const result = backtest.getByRole("region", { name: /What the rule would have done/ });
  await expect(result.getByText(/^Nothing was changed: this is a replay/)).toBeVisible();
  await expect(
    result.locator(".tile", { has: page.getByText("Actions", { exact: true }) }),
  ).toContainText("1");
  await expect(
    result.getByRole("figure", { name: "Actions and spend touched per day" }),
  ).toBeVisible();
  await result.getByText("1 action", { exact: true }).click();
  await expect(result.getByRole("table")).toContainText("Would pause campaign 'Bleeder'");
  await expect(history.getByRole("row")).toHaveCount(4); // a backtest records no run
  await expectAccessible(page);
  await screenshot(page, info, "rule-backtest");

  // More than 90 days: refused before it is sent.
  await backtest.getByLabel("From", { exact: true }).fill(isoDaysAgo(120));
  await backtest.getByRole("button", { name: "Run backtest" }).click();
  await expect(
    backtest.getByText(/A backtest covers at most 90 days; this range has 121/),
  ).toBeVisible();
  await expect(backtest.getByLabel("To", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await expect(page.getByRole("row", { name: /Bleeder/ })).toContainText("active");
});
