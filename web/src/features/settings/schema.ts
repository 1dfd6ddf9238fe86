import { z } from "zod";
import { newPassword } from "../../lib/password";

/** The change-password form, checked as identity checks it (plus the repeated new password). */
export const changePasswordSchema = z
  .object({
    current_password: z.string().min(1, "Enter your current password."),
    new_password: newPassword(),
    confirm: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.new_password === v.current_password) {
      ctx.addIssue({
        code: "custom",
        path: ["new_password"],
        message: "The new password must differ from the current one.",
      });
    }
    if (v.confirm !== v.new_password) {
      ctx.addIssue({ code: "custom", path: ["confirm"], message: "The passwords differ." });
    }
  });

export type ChangePasswordValues = z.infer<typeof changePasswordSchema>;
