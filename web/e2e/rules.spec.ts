import { expect, type Page, test } from "@playwright/test";
import {
  accessTokenOf,
  createCampaign,
  expectAccessible,
  newMetaAdvertiser,
  screenshot,
} from "./support";

/** One row of the builder ("Condition 1", "Alternative 2"), inside its list. */
function row(page: Page, list: "All of these" | "And at least one of these", name: string) {
  return page.getByRole("group", { name: list }).getByRole("group", { name, exact: true });
}

/** A JSON value without its null members (the API's answers spell out every unset key). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

async function storedRule(page: Page, id: string) {
  const token = await accessTokenOf(page);
  const response = await page.request.get(`/api/v1/rules/${id}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as { rule_type: string; threshold: number; conditions: unknown };
}

test("rules journey: create, dry-run (what would happen now), execute, see the actions and the count", async ({
  page,
}, info) => {
  const meta = await newMetaAdvertiser(page, "rules", "Meta rules");
  await createCampaign(page, {
    name: "Always judged",
    account: "Meta rules (meta)",
    budget: "100",
    externalId: meta.campaignIds[0] ?? "",
    active: true,
  });

  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await expect(page.getByText("No rules yet")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("Pause under 1000x");
  await page.getByLabel("Template").selectOption("pause_low_roas");
  const first = row(page, "All of these", "Condition 1");
  await first.getByLabel("Value").fill("-1");
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(first.getByText("Enter a number, like 1.5.")).toBeVisible();
  await first.getByLabel("Value").fill("1000");
  await first.getByLabel("Time range").selectOption("last_30_days");
  // Not automatic: an active rule without a schedule is due at once, and the worker's
  // scheduler could run it before the dry run below (it did, in one run in about ten).
  await page.getByLabel("Run automatically on schedule").uncheck();
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("link", { name: "Pause under 1000x" })).toBeVisible();
  await expect(page.getByRole("row", { name: /Pause under 1000x/ })).toContainText(
    "Pause campaigns when ROAS < 1,000 over the last 30 days",
  );
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

  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await expect(
    page
      .getByRole("row", { name: /Pause under 1000x/ })
      .getByRole("cell")
      .last(),
  ).toHaveText("1");
  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await expect(page.getByRole("row", { name: /Always judged/ })).toContainText("paused");

  // Edit the rule: the API's refusal beside its field; the change survives a reload.
  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await page.getByRole("link", { name: "Pause under 1000x" }).click();
  await page.getByRole("link", { name: "Edit rule" }).click();
  const edited = row(page, "All of these", "Condition 1");
  await expect(edited.getByLabel("Value")).toHaveValue("1000");
  await expect(edited.getByLabel("Time range")).toHaveValue("last_30_days");
  await page.getByLabel("Name", { exact: true }).fill("Pause under 2x");
  await page.getByLabel("Frequency").selectOption("hourly");
  await page.getByLabel("Time zone").fill("Mars/Base");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(/'Mars\/Base' is not an IANA time zone/)).toBeVisible();
  await expect(page.getByLabel("Time zone")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Time zone").fill("Europe/Paris");
  await edited.getByLabel("Value").fill("2");
  await edited.getByLabel("Time range").selectOption("last_14_days");
  await expect(page.getByLabel("Run automatically on schedule")).not.toBeChecked();
  await expectAccessible(page);
  await screenshot(page, info, "rule-edit");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: "Pause under 2x" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Pause under 2x" })).toBeVisible();
  await expect(
    page.getByText(
      "Pause campaigns when ROAS < 2 over the last 14 days, checked every hour (Europe/Paris).",
    ),
  ).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: /^no$/ })).toBeVisible();
  await page.getByRole("link", { name: "Edit rule" }).click();
  await expect(row(page, "All of these", "Condition 1").getByLabel("Time range")).toHaveValue(
    "last_14_days",
  );
  await expect(page.getByLabel("Run automatically on schedule")).not.toBeChecked();
});

test("rule builder: a custom rule, its sentence, what the API stores, a dry run, then a template and a bid", async ({
  page,
}, info) => {
  const meta = await newMetaAdvertiser(page, "builder", "Meta builder");
  await createCampaign(page, {
    name: "Prospecting US",
    account: "Meta builder (meta)",
    budget: "100",
    externalId: meta.campaignIds[0] ?? "",
    active: true,
  });
  await createCampaign(page, {
    name: "Retargeting",
    account: "Meta builder (meta)",
    budget: "50",
    active: true,
  });

  // Build: campaigns on Meta named "prospecting", raise the budget 10 % up to $105.
  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await page.getByLabel("Name", { exact: true }).fill("Scale prospecting");
  await page.getByLabel("Template").selectOption("increase_budget_high_roas");
  const scope = page.getByRole("group", { name: "Apply to" });
  await expect(scope.getByLabel("Level")).toHaveValue("campaign");
  await scope.getByRole("group", { name: "Platforms" }).getByLabel("Meta").check();
  await scope.getByLabel("Name contains").fill("prospecting");
  await expect(scope.getByLabel(/Prospecting US/)).toBeVisible(); // the campaign picker
  const action = page.getByRole("group", { name: "Action", exact: true });
  await expect(action.getByLabel("Action", { exact: true })).toHaveValue("change_budget");
  await expect(action.getByLabel("Direction")).toHaveValue("up");
  await action.getByLabel("By (%)").fill("10");
  await action.getByLabel("Never above ($)").fill("105");

  const roas = row(page, "All of these", "Condition 1");
  await expect(roas.getByLabel("Metric")).toHaveValue("roas");
  await roas.getByLabel("Operator").selectOption("between");
  await roas.getByLabel("From", { exact: true }).fill("0");
  await roas.getByLabel("To", { exact: true }).fill("1000");
  await roas.getByLabel("Time range").selectOption("last_30_days");
  await page.getByRole("button", { name: "Add condition" }).click();
  const spend = row(page, "All of these", "Condition 2");
  await spend.getByLabel("Metric").selectOption("spend");
  await spend.getByLabel("Operator").selectOption(">=");
  await spend.getByLabel("Value ($)").fill("1");
  await spend.getByLabel("Time range").selectOption("last_30_days");
  await page.getByRole("button", { name: "Add alternative" }).click();
  const ctr = row(page, "And at least one of these", "Alternative 1");
  await ctr.getByLabel("Metric").selectOption("ctr");
  await ctr.getByLabel("Value (%)").fill("100");
  await ctr.getByLabel("Time range").selectOption("last_30_days");
  await page.getByRole("button", { name: "Add alternative" }).click();
  const age = row(page, "And at least one of these", "Alternative 2");
  await age.getByLabel("Metric").selectOption("age_days");
  await age.getByLabel("Operator").selectOption(">=");
  await expect(age.getByLabel("Time range")).toHaveCount(0); // age has no window
  await age.getByLabel("Value (days)").fill("0");
  await page.getByLabel("Frequency").selectOption("daily");
  await page.getByLabel("Time", { exact: true }).fill("08:00");

  const sentence =
    "Raise the daily budget of campaigns on Meta whose name contains “prospecting” by 10% " +
    "(not above $105.00) when ROAS between 0 and 1,000 over the last 30 days and spend ≥ " +
    "$1.00 over the last 30 days and at least one of: CTR < 100% over the last 30 days or " +
    "age ≥ 0 days, checked daily at 08:00.";
  await expect(page.getByRole("region", { name: "Summary" })).toContainText(sentence);
  await expectAccessible(page);
  await screenshot(page, info, "rule-builder");

  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("link", { name: "Scale prospecting" })).toBeVisible();
  await expect(page.getByRole("row", { name: /Scale prospecting/ })).toContainText(sentence);
  await page.getByRole("link", { name: "Scale prospecting" }).click();
  await expect(page.getByRole("heading", { name: "Scale prospecting" })).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: sentence })).toBeVisible();

  // The API stores what was built, in its units (CTR a fraction, money as text).
  const id = new URL(page.url()).pathname.split("/").pop() ?? "";
  const stored = await storedRule(page, id);
  expect(stored.rule_type).toBe("increase_budget_high_roas");
  expect(withoutNulls(stored.conditions)).toEqual({
    lookback_days: 7,
    cooldown_hours: 24,
    filters: [
      { metric: "roas", operator: "between", value: [0, 1000], window: "last_30_days" },
      { metric: "spend", operator: ">=", value: 1, window: "last_30_days" },
    ],
    any: [
      { metric: "ctr", operator: "<", value: 1, window: "last_30_days" },
      { metric: "age_days", operator: ">=", value: 0, window: "last_7_days" },
    ],
    scope: { level: "campaign", name_contains: "prospecting", platforms: ["meta"] },
    action: { type: "change_budget", percent: 10, max: "105.00", max_change_percent: 100 },
    schedule: { frequency: "daily", time: "08:00" },
  });

  // Only the prospecting campaign is judged; +10 % of $100 stops at the $105 cap.
  await page.getByRole("button", { name: "Dry run" }).click();
  const preview = page.getByRole("region", { name: "Dry run result" });
  await expect(preview).toContainText("1 campaign judged");
  await expect(preview).toContainText("1 would be changed");
  await expect(preview.getByRole("listitem")).toHaveText(
    /Would increase daily budget of 'Prospecting US' from 100\.00 to 105\.00/,
  );

  // Edit: a template, then ad groups — a budget action is refused there — then a bid.
  await page.getByRole("link", { name: "Edit rule" }).click();
  await expect(row(page, "All of these", "Condition 2").getByLabel("Value ($)")).toHaveValue(
    "1.00",
  );
  await expect(
    row(page, "And at least one of these", "Alternative 1").getByLabel("Value (%)"),
  ).toHaveValue("100");
  await page.getByLabel("Template").selectOption("decrease_budget_low_ctr");
  const condition = row(page, "All of these", "Condition 1");
  await expect(condition.getByLabel("Metric")).toHaveValue("ctr");
  await expect(condition.getByLabel("Value (%)")).toHaveValue("1");
  await expect(page.getByRole("group", { name: "And at least one of these" })).not.toContainText(
    "Alternative 1",
  );
  await expect(action.getByLabel("Direction")).toHaveValue("down");
  await scope.getByLabel("Level").selectOption("ad_group");
  await expect(
    action.getByText("Budget actions apply to campaigns: choose Campaigns under Apply to"),
  ).toBeVisible();
  await expect(action.getByLabel("Action", { exact: true })).toHaveAttribute(
    "aria-invalid",
    "true",
  );
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(/\/edit$/); // refused in the form
  await action.getByLabel("Action", { exact: true }).selectOption("set_bid");
  await expect(action.getByText("Budget actions apply to campaigns")).toHaveCount(0);
  await action.getByLabel("New bid ($)").fill("0.75");
  await action.getByLabel("Never below ($)").fill("0.50");
  await expectAccessible(page);
  const bidSentence =
    "Set the bid of ad groups on Meta whose name contains “prospecting” to $0.75 (not below " +
    "$0.50) when CTR < 1% over the last 7 days, checked daily at 08:00.";
  await expect(page.getByRole("region", { name: "Summary" })).toContainText(bidSentence);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/rules/${id}$`));
  const summary = page.getByRole("definition").filter({ hasText: bidSentence });
  await expect(summary).toBeVisible();

  await page.reload();
  await expect(summary).toBeVisible();
  await page.getByRole("link", { name: "Edit rule" }).click();
  await expect(page.getByLabel("Template")).toHaveValue("decrease_budget_low_ctr");
  await expect(scope.getByLabel("Level")).toHaveValue("ad_group");
  await expect(action.getByLabel("Action", { exact: true })).toHaveValue("set_bid");
  await expect(action.getByLabel("New bid ($)")).toHaveValue("0.75");
  await expect(action.getByLabel("Never below ($)")).toHaveValue("0.50");
  await expect(row(page, "All of these", "Condition 1").getByLabel("Value (%)")).toHaveValue("1");
  const saved = await storedRule(page, id);
  expect(saved.threshold).toBe(0.01);
  expect(withoutNulls(saved.conditions)).toMatchObject({
    filters: [{ metric: "ctr", operator: "<", value: 0.01, window: "last_7_days" }],
    scope: { level: "ad_group", name_contains: "prospecting", platforms: ["meta"] },
    action: { type: "set_bid", amount: "0.75", min: "0.50", max_change_percent: 100 },
  });
});

test("rule builder: an ad-group rule on one picked campaign judges only that campaign's ad groups, then on one chosen ad group", async ({
  page,
}) => {
  await newMetaAdvertiser(page, "adgrouprule", "Meta groups");
  // Two campaigns, an ad group in each (through the API: the ad-group form is not the point).
  const auth = { Authorization: `Bearer ${await accessTokenOf(page)}` };
  const campaignIds: Record<string, string> = {};
  const adGroupIds: Record<string, string> = {};
  for (const name of ["Brand", "Generic"]) {
    await createCampaign(page, { name, account: "Meta groups (meta)", budget: "40", active: true });
    const id = new URL(page.url()).pathname.split("/").pop() ?? "";
    campaignIds[name] = id;
    const created = await page.request.post("/api/v1/ad-groups", {
      headers: auth,
      data: { campaign_id: id, name: `${name} ads` },
    });
    expect(created.status()).toBe(201);
    adGroupIds[name] = ((await created.json()) as { id: string }).id;
  }

  // Build: ad groups, only those of "Brand", aged 0 days or more (every ad group qualifies).
  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await page.getByLabel("Name", { exact: true }).fill("Pause brand ad groups");
  const scope = page.getByRole("group", { name: "Apply to" });
  await scope.getByLabel("Level").selectOption("ad_group");
  const which = scope.getByRole("group", { name: "Which ad groups" });
  await expect(which.getByLabel("Every one that matches the rest")).toBeChecked();
  await which.getByLabel("Only those of chosen campaigns").check();
  const picker = scope.getByRole("group", { name: "Specific campaigns (optional)" });
  await expect(picker).toContainText(
    "None picked: the ad groups that match the rest, in every campaign.",
  );
  await picker.getByLabel(/Brand/).check();
  await expect(picker).toContainText("1 picked: only the ad groups of this campaign.");
  const age = row(page, "All of these", "Condition 1");
  await age.getByLabel("Metric").selectOption("age_days");
  await age.getByLabel("Operator").selectOption(">=");
  await age.getByLabel("Value (days)").fill("0");
  await page.getByLabel("Run automatically on schedule").uncheck(); // only this test runs it
  const sentence =
    "Pause ad groups in the chosen campaign when age ≥ 0 days, checked on the service's " +
    "regular interval.";
  await expect(page.getByRole("region", { name: "Summary" })).toContainText(sentence);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("row", { name: /Pause brand ad groups/ })).toContainText(sentence);
  await page.getByRole("link", { name: "Pause brand ad groups" }).click();
  await expect(page.getByRole("heading", { name: "Pause brand ad groups" })).toBeVisible();

  // Stored as campaign_ids (campaigns) at ad-group level, not as scope.ids (ad groups).
  const id = new URL(page.url()).pathname.split("/").pop() ?? "";
  const stored = await storedRule(page, id);
  expect(withoutNulls(stored.conditions)).toEqual({
    lookback_days: 7,
    cooldown_hours: 24,
    campaign_ids: [campaignIds.Brand],
    filters: [{ metric: "age_days", operator: ">=", value: 0, window: "last_7_days" }],
    scope: { level: "ad_group" },
    action: { type: "pause", max_change_percent: 100 },
  });

  // A dry run judges the one ad group of "Brand" and would pause it; "Generic ads" untouched.
  await page.getByRole("button", { name: "Dry run" }).click();
  const preview = page.getByRole("region", { name: "Dry run result" });
  await expect(preview).toContainText("1 ad group judged");
  await expect(preview).toContainText("1 would be changed");
  await expect(preview.getByRole("listitem")).toHaveText([/Would pause ad group 'Brand ads'/]);

  // The edit form reads it back: level, the choice, the picked campaign, no ad-group picker.
  await page.getByRole("link", { name: "Edit rule" }).click();
  await expect(scope.getByLabel("Level")).toHaveValue("ad_group");
  await expect(which.getByLabel("Only those of chosen campaigns")).toBeChecked();
  await expect(picker.getByLabel(/Brand/)).toBeChecked();
  await expect(picker.getByLabel(/Generic/)).not.toBeChecked();
  const adGroups = scope.getByRole("group", { name: "Specific ad groups" });
  await expect(adGroups).toHaveCount(0);

  // Now chosen ad groups instead: the one of "Generic" (named with its campaign), found by
  // searching its name (Enter searches at once and does not save the form); the pick stays
  // through another search and after the search is cleared.
  await which.getByLabel("Only chosen ad groups").check();
  await expect(picker).toHaveCount(0);
  await expect(adGroups).toContainText("None picked: every ad group that matches the rest.");
  await expect(adGroups.getByLabel(/Brand ads/)).toBeVisible();
  const search = adGroups.getByLabel("Search ad groups by name");
  await search.fill("GENERIC");
  await search.press("Enter"); // a save would leave the form: the steps below would fail
  await expect(adGroups.getByLabel(/Brand ads/)).toHaveCount(0);
  await adGroups.getByLabel(/Generic ads \(Generic, active\)/).check();
  await expect(adGroups).toContainText("1 picked: only this ad group.");
  await search.fill("nothing like it");
  await expect(adGroups).toContainText("No ad groups match “nothing like it”.");
  await expect(adGroups).toContainText(
    "1 picked: only this ad group, 1 not among the matches shown.",
  );
  await adGroups.getByRole("button", { name: "Clear", exact: true }).click();
  await expect(adGroups.getByLabel(/Generic ads/)).toBeChecked();
  await expect(adGroups.getByLabel(/Brand ads/)).not.toBeChecked();
  await expect(adGroups).toContainText("1 picked: only this ad group.");
  const chosen =
    "Pause the chosen ad group when age ≥ 0 days, checked on the service's regular interval.";
  await expect(page.getByRole("region", { name: "Summary" })).toContainText(chosen);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/rules/${id}$`)); // saved: back on the rule's page

  // Stored as scope.ids (ad groups), the campaigns gone.
  const again = await storedRule(page, id);
  expect(withoutNulls(again.conditions)).toEqual({
    lookback_days: 7,
    cooldown_hours: 24,
    filters: [{ metric: "age_days", operator: ">=", value: 0, window: "last_7_days" }],
    scope: { level: "ad_group", ids: [adGroupIds.Generic] },
    action: { type: "pause", max_change_percent: 100 },
  });

  // A dry run judges only "Generic ads" and would pause it; "Brand ads" is not judged.
  await page.getByRole("button", { name: "Dry run" }).click();
  await expect(preview).toContainText("1 ad group judged");
  await expect(preview).toContainText("1 would be changed");
  await expect(preview.getByRole("listitem")).toHaveText([/Would pause ad group 'Generic ads'/]);

  // And the edit form shows it ticked under the choice.
  await page.getByRole("link", { name: "Edit rule" }).click();
  await expect(which.getByLabel("Only chosen ad groups")).toBeChecked();
  await expect(adGroups.getByLabel(/Generic ads/)).toBeChecked();
  await expect(adGroups.getByLabel(/Brand ads/)).not.toBeChecked();
  await expect(picker).toHaveCount(0);
});
