import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/errors";
import { emptyRule, ruleCreateBody, ruleFormValuesOf, withoutNulls } from "./conditions";
import {
  CHEAPER_CLICKS,
  PRESET_ONLY,
  PRESET_ONLY_EXPANDED,
  STOP_BLEEDERS,
} from "./conditionsExamples";
import { RuleForm } from "./RuleForm";
import { LIMITS, MESSAGES, type RuleFormValues } from "./schema";

const { GET } = vi.hoisted(() => ({ GET: vi.fn() }));
vi.mock("../../api/client", () => ({ api: { GET } }));

const CAMPAIGNS = [
  { id: "c-1", name: "Prospecting US", status: "active" },
  { id: "c-2", name: "Retargeting", status: "paused" },
];
const AD_GROUPS = [
  { id: "g-1", campaign_id: "c-1", name: "US broad", status: "active" },
  { id: "g-2", campaign_id: "c-2", name: "Cart visitors", status: "paused" },
];

/** One page of the API's list (`items`, `total`) for `path`. */
function pageOf(path: string) {
  const items = path === "/api/v1/ad-groups" ? AD_GROUPS : CAMPAIGNS;
  return { data: { items, total: items.length, offset: 0, limit: 20 }, response: { ok: true } };
}

function renderForm(initial: RuleFormValues, onSubmit = vi.fn().mockResolvedValue(undefined)) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <RuleForm title="New rule" submitLabel="Create rule" initial={initial} onSubmit={onSubmit} />
    </QueryClientProvider>,
  );
  return { onSubmit, user: userEvent.setup() };
}

function summary() {
  return screen.getByRole("region", { name: "Summary" });
}

function group(name: string) {
  return screen.getByRole("group", { name });
}

beforeEach(() => {
  GET.mockReset();
  GET.mockImplementation(async (path: string) => pageOf(path));
});

describe("the rule builder", () => {
  it("starts from the first template and says the rule in a sentence", async () => {
    renderForm(emptyRule());
    expect(summary()).toHaveTextContent(
      "Pause campaigns when ROAS < 1 over the last 7 days, checked on the service's regular interval.",
    );
    const row = within(group("Condition 1"));
    expect(row.getByLabelText("Metric")).toHaveValue("roas");
    expect(row.getByLabelText("Value")).toHaveValue("1");
    expect(await screen.findByLabelText(/Prospecting US/)).not.toBeChecked();
  });

  it("fills the builder from a template and keeps the sentence live", async () => {
    const { user } = renderForm(emptyRule());
    await user.selectOptions(screen.getByLabelText("Template"), "decrease_budget_low_ctr");
    const row = within(group("Condition 1"));
    expect(row.getByLabelText("Metric")).toHaveValue("ctr");
    expect(row.getByLabelText("Value (%)")).toHaveValue("1");
    expect(screen.getByLabelText("Action")).toHaveValue("change_budget");
    expect(screen.getByLabelText("Direction")).toHaveValue("down");
    expect(screen.getByLabelText("Never below ($)")).toHaveValue("1.00");
    await user.clear(row.getByLabelText("Value (%)"));
    await user.type(row.getByLabelText("Value (%)"), "0.5");
    await user.selectOptions(row.getByLabelText("Operator"), "between");
    await user.type(row.getByLabelText("To (%)"), "2");
    expect(summary()).toHaveTextContent(
      "Lower the daily budget of campaigns by 20% (not below $1.00) when CTR between 0.5% and 2%",
    );
  });

  it("refuses a budget action on ad groups as soon as it is chosen", async () => {
    const { user, onSubmit } = renderForm({ ...emptyRule("increase_budget_high_roas"), name: "x" });
    await user.selectOptions(screen.getByLabelText("Level"), "ad_group");
    expect(screen.getByText(MESSAGES.budgetLevel)).toBeVisible();
    expect(screen.getByLabelText("Action")).toHaveAttribute("aria-invalid", "true");
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    expect(onSubmit).not.toHaveBeenCalled();
    await user.selectOptions(screen.getByLabelText("Action"), "set_bid");
    expect(screen.queryByText(MESSAGES.budgetLevel)).toBeNull();
    await user.type(screen.getByLabelText("New bid ($)"), "0.75");
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const body = ruleCreateBody(onSubmit.mock.calls[0]?.[0]);
    expect(body.conditions?.scope).toEqual({ level: "ad_group" });
    expect(body.conditions?.action).toEqual({
      type: "set_bid",
      amount: "0.75",
      max_change_percent: 100,
    });
  });

  it("picks campaigns at both levels: at ad-group level, whose ad groups are judged", async () => {
    const { user, onSubmit } = renderForm({ ...emptyRule(), name: "x" });
    const picker = () => group("Specific campaigns (optional)");
    await user.click(await screen.findByLabelText(/Retargeting/));
    expect(picker()).toHaveTextContent("1 picked: only this campaign.");
    await user.selectOptions(screen.getByLabelText("Level"), "ad_group");
    expect(screen.getByLabelText(/Retargeting/)).toBeChecked(); // kept across the level
    expect(screen.getByLabelText(LIMITS.campaigns)).toBeChecked();
    expect(picker()).toHaveTextContent("1 picked: only the ad groups of this campaign.");
    await user.click(screen.getByLabelText(/Prospecting US/));
    expect(picker()).toHaveTextContent("2 picked: only the ad groups of these campaigns.");
    expect(summary()).toHaveTextContent("Pause ad groups in the 2 chosen campaigns when ROAS < 1");
    await user.click(screen.getByRole("button", { name: "Untick all campaigns" }));
    expect(picker()).toHaveTextContent(
      "None picked: the ad groups that match the rest, in every campaign.",
    );
    await user.click(screen.getByLabelText(/Prospecting US/));
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const body = ruleCreateBody(onSubmit.mock.calls[0]?.[0]);
    expect(body.conditions?.campaign_ids).toEqual(["c-1"]);
    expect(body.conditions?.scope).toEqual({ level: "ad_group" });
  });

  it("chooses which ad groups: every one, those of chosen campaigns, or chosen ones", async () => {
    const { user, onSubmit } = renderForm({ ...emptyRule(), name: "x" });
    const campaigns = () => screen.queryByRole("group", { name: "Specific campaigns (optional)" });
    const adGroups = () => screen.queryByRole("group", { name: "Specific ad groups" });
    expect(screen.queryByRole("group", { name: "Which ad groups" })).toBeNull(); // campaigns
    await user.selectOptions(screen.getByLabelText("Level"), "ad_group");
    const which = within(group("Which ad groups"));
    expect(which.getByLabelText(LIMITS.none)).toBeChecked();
    expect(campaigns()).toBeNull();
    expect(adGroups()).toBeNull();

    await user.click(which.getByLabelText(LIMITS.ad_groups));
    expect(campaigns()).toBeNull();
    expect(adGroups()).toHaveTextContent("None picked: every ad group that matches the rest.");
    // each ad group with its campaign's name and its status
    await user.click(await screen.findByLabelText("Cart visitors (Retargeting, paused)"));
    expect(adGroups()).toHaveTextContent("1 picked: only this ad group.");
    expect(summary()).toHaveTextContent("Pause the chosen ad group when ROAS < 1");

    // campaigns instead: the ad groups are put aside, not sent, and come back when chosen again
    await user.click(which.getByLabelText(LIMITS.campaigns));
    expect(adGroups()).toBeNull();
    await user.click(await screen.findByLabelText(/Prospecting US/));
    expect(summary()).toHaveTextContent("Pause ad groups in the chosen campaign when");
    expect(screen.queryByRole("alert")).toBeNull();
    await user.click(which.getByLabelText(LIMITS.ad_groups));
    expect(campaigns()).toBeNull();
    expect(await screen.findByLabelText(/Cart visitors/)).toBeChecked();
    await user.click(screen.getByLabelText(/US broad/));
    expect(adGroups()).toHaveTextContent("2 picked: only these ad groups.");
    expect(summary()).toHaveTextContent("Pause the 2 chosen ad groups when ROAS < 1");

    await user.click(screen.getByRole("button", { name: "Create rule" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const body = ruleCreateBody(onSubmit.mock.calls[0]?.[0]);
    expect(body.conditions?.scope).toEqual({ level: "ad_group", ids: ["g-2", "g-1"] });
    expect(body.conditions).not.toHaveProperty("campaign_ids");
    expect(GET).toHaveBeenCalledWith("/api/v1/ad-groups", {
      params: { query: { offset: 0, limit: 20 } },
    });
  });

  it("opens chosen ad groups ticked, counts those on other pages, and saves them back", async () => {
    const conditions = {
      ...CHEAPER_CLICKS.conditions,
      scope: { level: "ad_group", ids: ["g-2", "g-elsewhere"], statuses: ["active"] },
    };
    const { user, onSubmit } = renderForm(ruleFormValuesOf({ ...CHEAPER_CLICKS, conditions }));
    expect(within(group("Which ad groups")).getByLabelText(LIMITS.ad_groups)).toBeChecked();
    expect(await screen.findByLabelText(/Cart visitors/)).toBeChecked();
    expect(screen.getByLabelText(/US broad/)).not.toBeChecked();
    expect(group("Specific ad groups")).toHaveTextContent(
      "2 picked: only these ad groups, 1 not on this page.",
    );
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(ruleCreateBody(onSubmit.mock.calls[0]?.[0]).conditions).toEqual(
      withoutNulls(conditions),
    );
  });

  it("refuses chosen ad groups on a campaign rule until they are unticked", async () => {
    const { user, onSubmit } = renderForm({ ...emptyRule(), name: "x" });
    await user.selectOptions(screen.getByLabelText("Level"), "ad_group");
    await user.click(within(group("Which ad groups")).getByLabelText(LIMITS.ad_groups));
    await user.click(await screen.findByLabelText(/US broad/));
    await user.selectOptions(screen.getByLabelText("Level"), "campaign");
    expect(screen.getByText(MESSAGES.adGroupsAtCampaigns)).toBeVisible();
    expect(screen.getByLabelText("Level")).toHaveAttribute("aria-invalid", "true");
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    expect(onSubmit).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Untick all ad groups" }));
    expect(screen.queryByText(MESSAGES.adGroupsAtCampaigns)).toBeNull();
    expect(screen.queryByRole("group", { name: "Specific ad groups" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
  });

  it("refuses a stored rule's campaigns next to its ad groups, until one is chosen", async () => {
    const values = emptyRule();
    const both = {
      ...values,
      name: "x",
      scope: {
        ...values.scope,
        level: "ad_group" as const,
        campaign_ids: ["c-2"],
        ad_group_ids: ["g-1"],
        limit: "ad_groups" as const,
      },
    };
    const { user, onSubmit } = renderForm(both);
    const which = within(group("Which ad groups"));
    for (const label of Object.values(LIMITS))
      expect(which.getByLabelText(label)).not.toBeChecked();
    const picker = group("Specific campaigns (optional)");
    expect(within(picker).getByRole("alert")).toHaveTextContent(MESSAGES.campaignsAndAdGroups);
    expect(await screen.findByLabelText(/US broad/)).toBeChecked();
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    expect(onSubmit).not.toHaveBeenCalled();
    await user.click(which.getByLabelText(LIMITS.campaigns));
    expect(within(picker).queryByRole("alert")).toBeNull();
    expect(screen.queryByRole("group", { name: "Specific ad groups" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(ruleCreateBody(onSubmit.mock.calls[0]?.[0]).conditions).toMatchObject({
      campaign_ids: ["c-2"],
      scope: { level: "ad_group" },
    });
  });

  it("adds and removes conditions", async () => {
    const { user } = renderForm(emptyRule());
    await user.click(screen.getByRole("button", { name: "Add alternative" }));
    const alternative = within(group("Alternative 1"));
    await user.selectOptions(alternative.getByLabelText("Metric"), "age_days");
    expect(alternative.queryByLabelText("Time range")).toBeNull();
    await user.type(alternative.getByLabelText("Value (days)"), "7");
    expect(summary()).toHaveTextContent("and at least one of: age < 7 days");
    await user.click(screen.getByRole("button", { name: "Remove condition 1" }));
    expect(summary()).toHaveTextContent("Pause campaigns when age < 7 days,");
    await user.click(screen.getByRole("button", { name: "Remove alternative 1" }));
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    expect(await screen.findByText(MESSAGES.noCondition)).toBeVisible();
  });

  it("shows the API's refusal under its field", async () => {
    const refusal = new ApiError(422, {
      detail: [
        {
          loc: ["body", "conditions", "schedule"],
          msg: "Value error, 'Mars/Base' is not an IANA time zone (e.g. 'Europe/Paris', 'UTC')",
        },
      ],
    });
    const onSubmit = vi.fn().mockRejectedValue(refusal);
    const { user } = renderForm({ ...emptyRule(), name: "x" }, onSubmit);
    await user.selectOptions(screen.getByLabelText("Frequency"), "hourly");
    await user.type(screen.getByLabelText("Time zone"), "Mars/Base");
    await user.click(screen.getByRole("button", { name: "Create rule" }));
    expect(await screen.findByText(/'Mars\/Base' is not an IANA time zone/)).toBeVisible();
    expect(screen.getByLabelText("Time zone")).toHaveAttribute("aria-invalid", "true");
  });

  it("opens a stored rule as it is", () => {
    renderForm(ruleFormValuesOf(STOP_BLEEDERS));
    expect(within(group("Alternative 1")).getByLabelText("Value (%)")).toHaveValue("0.5");
    expect(within(group("Alternative 2")).getByLabelText("To ($)")).toHaveValue("40.00");
    expect(screen.getByLabelText("Name contains")).toHaveValue("prospecting");
    expect(screen.getByLabelText("Time")).toHaveValue("08:00");
    expect(screen.queryByRole("note")).toBeNull();
  });

  it("opens a preset-only rule as it runs, and says what it keeps", () => {
    const withUnknown = {
      ...PRESET_ONLY,
      conditions: { ...PRESET_ONLY.conditions, extra_knob: 1 },
    };
    renderForm(ruleFormValuesOf(withUnknown, PRESET_ONLY_EXPANDED));
    expect(within(group("Condition 1")).getByLabelText("Value")).toHaveValue("2.5");
    expect(screen.getByLabelText("By (%)")).toHaveValue("30");
    expect(screen.getByRole("note")).toHaveTextContent("extra_knob");
  });
});
