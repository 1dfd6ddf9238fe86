import { z } from "zod";
import { newPassword } from "../../lib/password";

export const credentialsSchema = z.object({
  email: z.email("Enter a valid email address."),
  password: z.string().min(1, "Enter your password."),
});

export const registerSchema = z
  .object({
    email: z.email("Enter a valid email address."),
    password: newPassword(),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The passwords differ.",
  });

export const forgotSchema = z.object({ email: z.email("Enter a valid email address.") });

export const resetSchema = z
  .object({
    new_password: newPassword(),
    confirm: z.string(),
  })
  .refine((v) => v.new_password === v.confirm, {
    path: ["confirm"],
    message: "The passwords differ.",
  });
