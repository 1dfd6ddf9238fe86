// The ad group form's targeting: an age range, interests and country codes typed as lists,
// turned into the API's `targeting` object ({"age": "25-45", "interests": [...], "locations": [...]}).
import { z } from "zod";
import type { components } from "../../api/schema";

type AdGroupCreate = components["schemas"]["AdGroupCreate"];
type AdGroupUpdate = components["schemas"]["AdGroupUpdate"];
type AdGroupRead = components["schemas"]["AdGroupRead"];
type Targeting = components["schemas"]["Targeting"];
type CreativeRead = components["schemas"]["CreativeRead"];

export const BID_STRATEGIES = ["auto_cpc", "manual_cpc", "target_roas"] as const;

function list(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

export const adGroupFormSchema = z
  .object({
    name: z.string().trim().min(1, "Enter a name.").max(255),
    status: z.enum(["active", "paused"]),
    bid_strategy: z.enum(BID_STRATEGIES),
    bid_amount: z
      .string()
      .trim()
      .regex(/^(\d{1,12}(\.\d{1,2})?)?$/, "Enter an amount in dollars, like 1.25."),
    age_min: z.string().regex(/^(1[3-9]|[2-5]\d|6[0-5])?$/, "13 to 65."),
    age_max: z.string().regex(/^(1[3-9]|[2-5]\d|6[0-5])?$/, "13 to 65."),
    interests: z
      .string()
      .refine((v) => list(v).every((i) => i.length <= 100), "Each interest at most 100 characters.")
      .refine((v) => list(v).length <= 100, "At most 100 interests."),
    countries: z
      .string()
      .refine(
        (v) => list(v).every((c) => /^[A-Za-z]{2}$/.test(c)),
        "Two-letter country codes, like US, DE.",
      ),
  })
  .refine((v) => v.bid_strategy !== "manual_cpc" || Number(v.bid_amount) > 0, {
    path: ["bid_amount"],
    message: "Manual CPC needs a bid.",
  })
  .refine((v) => Boolean(v.age_min) === Boolean(v.age_max), {
    path: ["age_max"],
    message: "Give both ends of the age range, or neither.",
  })
  .refine((v) => !v.age_min || !v.age_max || Number(v.age_min) <= Number(v.age_max), {
    path: ["age_max"],
    message: "The upper age must be at least the lower one.",
  });

export type AdGroupFormValues = z.infer<typeof adGroupFormSchema>;

export const emptyAdGroup: AdGroupFormValues = {
  name: "",
  status: "active",
  bid_strategy: "auto_cpc",
  bid_amount: "",
  age_min: "",
  age_max: "",
  interests: "",
  countries: "",
};

function targetingOf(v: AdGroupFormValues): Targeting {
  const interests = list(v.interests);
  const countries = list(v.countries).map((c) => c.toUpperCase());
  return {
    age: v.age_min && v.age_max ? `${v.age_min}-${v.age_max}` : null,
    interests: interests.length ? interests : null,
    locations: countries.length ? countries : null,
  };
}

export function adGroupBody(campaignId: string, v: AdGroupFormValues): AdGroupCreate {
  return { campaign_id: campaignId, ...adGroupUpdateBody(v) };
}

/**
 * The PATCH body of an edit: every field of the form; `kept` is the group's current
 * targeting, whose keys the form does not show (custom audiences) are sent back unchanged.
 */
export function adGroupUpdateBody(
  v: AdGroupFormValues,
  kept: Targeting = {},
): Omit<AdGroupCreate, "campaign_id"> & AdGroupUpdate {
  return {
    name: v.name,
    status: v.status,
    bid_strategy: v.bid_strategy,
    // Only manual CPC takes a bid: the API refuses one with the other strategies.
    bid_amount: v.bid_strategy === "manual_cpc" && v.bid_amount ? v.bid_amount : null,
    targeting: { ...kept, ...targetingOf(v) },
  };
}

/** The form's values for an existing ad group (the edit page starts from them). */
export function adGroupValuesOf(group: AdGroupRead): AdGroupFormValues {
  const range = /^(\d+)-(\d+)$/.exec(group.targeting.age ?? "");
  return {
    name: group.name,
    status: group.status,
    bid_strategy: group.bid_strategy,
    // Money comes as a decimal string ("1.2500"); the form takes dollars and cents.
    bid_amount: group.bid_amount ? String(Number(group.bid_amount)) : "",
    age_min: range?.[1] ?? "",
    age_max: range?.[2] ?? "",
    interests: group.targeting.interests?.join(", ") ?? "",
    countries: group.targeting.locations?.join(", ") ?? "",
  };
}

// Text limits per platform, as the campaigns service enforces them
// (services/campaigns/src/campaigns/creative/limits.py): Google RSA 30/90, Meta feed 40/125.
export interface TextLimits {
  headline: number;
  description: number;
  call_to_action: number;
}

const LIMITS: Record<string, TextLimits> = {
  google: { headline: 30, description: 90, call_to_action: 30 },
  meta: { headline: 40, description: 125, call_to_action: 30 },
};

export function limitsFor(platform: string | undefined): TextLimits {
  return LIMITS[platform ?? ""] ?? (LIMITS.google as TextLimits);
}

export function creativeFormSchema(limits: TextLimits) {
  return z.object({
    status: z.enum(["active", "paused"]),
    headline: z
      .string()
      .trim()
      .min(1, "Enter a headline.")
      .max(limits.headline, `At most ${limits.headline} characters.`),
    description: z
      .string()
      .trim()
      .min(1, "Enter a description.")
      .max(limits.description, `At most ${limits.description} characters.`),
    call_to_action: z
      .string()
      .trim()
      .max(limits.call_to_action, `At most ${limits.call_to_action} characters.`),
    destination_url: z.url({ message: "Enter a full URL, like https://example.com/sale." }),
  });
}

export type CreativeFormValues = z.infer<ReturnType<typeof creativeFormSchema>>;

export const emptyCreative: CreativeFormValues = {
  status: "active",
  headline: "",
  description: "",
  call_to_action: "",
  destination_url: "",
};

export function creativeValuesOf(c: CreativeRead): CreativeFormValues {
  return {
    status: c.status,
    headline: c.headline,
    description: c.description,
    call_to_action: c.call_to_action ?? "",
    destination_url: c.destination_url,
  };
}

/** The fields of a create or an edit (an empty call to action clears it). */
export function creativeBody(v: CreativeFormValues) {
  return {
    status: v.status,
    headline: v.headline,
    description: v.description,
    call_to_action: v.call_to_action || null,
    destination_url: v.destination_url,
  };
}
