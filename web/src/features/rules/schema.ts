import { z } from "zod";
import type { components } from "../../api/schema";

export const RULE_TYPES = {
  pause_low_roas: "Pause campaigns whose ROAS is below",
  increase_budget_high_roas: "Raise the budget when ROAS is above",
  decrease_budget_low_ctr: "Lower the budget when CTR (%) is below",
  pause_no_conversions: "Pause campaigns with no conversions after spending ($)",
} as const;

export const ruleFormSchema = z.object({
  name: z.string().trim().min(1, "Name the rule.").max(255),
  rule_type: z.enum(Object.keys(RULE_TYPES) as [keyof typeof RULE_TYPES]),
  threshold: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, "Enter a number, like 1.5.")
    .refine((v) => Number(v) > 0, "The threshold must be more than 0."),
  lookback_days: z.coerce.number().int().min(1, "1 to 90 days.").max(90, "1 to 90 days."),
  is_active: z.boolean(),
});

export type RuleFormValues = z.input<typeof ruleFormSchema>;

export const emptyRule: RuleFormValues = {
  name: "",
  rule_type: "pause_low_roas",
  threshold: "",
  lookback_days: 7,
  is_active: true,
};

/** The form's values for an existing rule (the edit page starts from them). */
export function ruleValuesOf(rule: components["schemas"]["RuleRead"]): RuleFormValues {
  const lookback = Number(rule.conditions.lookback_days);
  return {
    name: rule.name,
    rule_type: rule.rule_type,
    threshold: String(rule.threshold),
    lookback_days: Number.isInteger(lookback) && lookback > 0 ? lookback : 7,
    is_active: rule.is_active,
  };
}

/**
 * The PATCH body of an edit. `conditions` replaces the rule's whole conditions object, so the
 * ones the form does not show (filters, scope, action, budget caps…) are sent back as they are.
 */
export function ruleUpdateBody(
  values: z.output<typeof ruleFormSchema>,
  kept: Record<string, unknown>,
): components["schemas"]["RuleUpdate"] {
  const { conditions: _preset, ...rest } = ruleBody(values);
  return {
    ...rest,
    conditions: {
      ...kept,
      lookback_days: values.lookback_days,
      cooldown_hours: cooldownOf(kept),
    },
  };
}

function cooldownOf(conditions: Record<string, unknown>): number {
  const hours = Number(conditions.cooldown_hours);
  return Number.isInteger(hours) && hours >= 0 ? hours : 24;
}

export function ruleBody(
  values: z.output<typeof ruleFormSchema>,
): components["schemas"]["RuleCreate"] {
  return {
    name: values.name,
    rule_type: values.rule_type,
    threshold: values.threshold,
    is_active: values.is_active,
    conditions: { lookback_days: values.lookback_days, cooldown_hours: 24 },
  };
}
