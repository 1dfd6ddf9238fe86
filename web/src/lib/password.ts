// A new password as identity accepts it (register, reset, change): the one rule the forms share.
import { z } from "zod";

export const PASSWORD_MIN = 8;

export function newPassword() {
  return z.string().min(PASSWORD_MIN, `At least ${PASSWORD_MIN} characters.`);
}
