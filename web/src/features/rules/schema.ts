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
