// The campaign form: one budget, daily XOR lifetime (the API refuses both), money as a
// decimal string with at most two decimals, dates in order.
import { z } from "zod";
import type { components } from "../../api/schema";

export const OBJECTIVES = ["sales", "traffic", "awareness", "leads", "app_installs"] as const;
export const STATUSES = ["draft", "active", "paused", "completed"] as const;

export const campaignFormSchema = z
  .object({
    name: z.string().trim().min(1, "Enter a name.").max(255),
    ad_account_id: z.string().min(1, "Choose an ad account."),
    objective: z.enum(OBJECTIVES),
    status: z.enum(STATUSES),
    budget_kind: z.enum(["daily", "lifetime"]),
    budget_amount: z
      .string()
      .trim()
      .regex(/^\d{1,12}(\.\d{1,2})?$/, "Enter an amount in dollars, like 25 or 25.50.")
      .refine((v) => Number(v) > 0, "The budget must be more than 0."),
    start_date: z.string(),
    end_date: z.string(),
    external_campaign_id: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{0,64}$/, "Letters, digits, - and _ only (at most 64)."),
  })
  .refine((v) => !v.start_date || !v.end_date || v.start_date <= v.end_date, {
    path: ["end_date"],
    message: "The end date must be on or after the start date.",
  });

export type CampaignFormValues = z.infer<typeof campaignFormSchema>;
type CampaignRead = components["schemas"]["CampaignRead"];
type CampaignCreate = components["schemas"]["CampaignCreate"];
type CampaignUpdate = components["schemas"]["CampaignUpdate"];

export const emptyCampaign: CampaignFormValues = {
  name: "",
  ad_account_id: "",
  objective: "sales",
  status: "draft",
  budget_kind: "daily",
  budget_amount: "",
  start_date: "",
  end_date: "",
  external_campaign_id: "",
};

export function formValuesOf(campaign: CampaignRead): CampaignFormValues {
  const lifetime = campaign.budget_lifetime !== null && campaign.budget_daily === null;
  return {
    name: campaign.name,
    ad_account_id: campaign.ad_account_id,
    objective: campaign.objective as CampaignFormValues["objective"],
    status: campaign.status as CampaignFormValues["status"],
    budget_kind: lifetime ? "lifetime" : "daily",
    budget_amount: (lifetime ? campaign.budget_lifetime : campaign.budget_daily) ?? "",
    start_date: campaign.start_date ?? "",
    end_date: campaign.end_date ?? "",
    external_campaign_id: campaign.external_campaign_id ?? "",
  };
}

function budgets(values: CampaignFormValues) {
  return values.budget_kind === "daily"
    ? { budget_daily: values.budget_amount, budget_lifetime: null }
    : { budget_daily: null, budget_lifetime: values.budget_amount };
}

export function createBody(values: CampaignFormValues): CampaignCreate {
  return {
    ad_account_id: values.ad_account_id,
    name: values.name,
    objective: values.objective,
    status: values.status,
    ...budgets(values),
    start_date: values.start_date || null,
    end_date: values.end_date || null,
    external_campaign_id: values.external_campaign_id || null,
  };
}

/** The update sends every editable field; switching the budget kind clears the other one. */
export function updateBody(values: CampaignFormValues): CampaignUpdate {
  const { ad_account_id: _, ...body } = createBody(values);
  return body;
}

/** API field names that the form shows under another control. */
export const SERVER_FIELD_RENAMES = {
  budget_daily: "budget_amount",
  budget_lifetime: "budget_amount",
} as const;
