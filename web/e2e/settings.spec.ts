import { expect, type Page, test } from "@playwright/test";
import { expectAccessible, PASSWORD, registerNewUser, screenshot } from "./support";

const NEW_PASSWORD = "battery staple 2";

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Signed in: on the overview, or back on the page a session that ended here was on.
  await expect(page.getByRole("link", { name: `Settings: ${email} · free` })).toBeVisible();
}

async function openSettings(page: Page, email: string): Promise<void> {
  await page.getByRole("link", { name: `Settings: ${email} · free` }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
}

test("settings journey: sign another device out from the list of sessions, change the password (this tab stays signed in, other devices do not), then sign out everywhere", async ({
  page,
  browser,
}, info) => {
  const email = await registerNewUser(page, "settings");
  // The same user signed in on another device.
  const laptop = await browser.newContext();
  const other = await laptop.newPage();
  await signIn(other, email, PASSWORD);

  await openSettings(page, email);
  const account = page.getByRole("region", { name: "Account" });
  await expect(account).toContainText(email);
  await expect(account).toContainText("Free");
  await expect(account.getByRole("link", { name: "Change plan" })).toHaveAttribute(
    "href",
    "/billing",
  );

  // Where you're signed in: this browser and the other device, a session each.
  const signedIn = page.getByRole("region", { name: "Where you're signed in" });
  await expect(signedIn).toContainText(
    "Each sign-in on a browser or the CLI is a session. Sign out one you don't recognise; its access ends at once.",
  );
  await expect(signedIn.getByRole("row")).toHaveCount(3); // the header and two sessions
  await expect(signedIn.getByText("This device", { exact: true })).toHaveCount(1);
  // Only the other one can be signed out here (this one with the header's Sign out).
  const signOutOther = signedIn.getByRole("button", { name: /^Sign out / });
  await expect(signOutOther).toHaveCount(1);
  await expect(signOutOther).toHaveAccessibleName(/^Sign out Chrome on \w+$/);
  await expectAccessible(page);
  await signOutOther.click();
  const endSession = page.getByRole("alertdialog", { name: /^Sign out Chrome on \w+\?$/ });
  await expect(endSession).toContainText("Its access ends at once: it has to sign in again.");
  await expectAccessible(page);
  await endSession.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(endSession).toBeHidden();
  await expect(signedIn.getByRole("status")).toHaveText(/^Chrome on \w+ is signed out\.$/);
  await expect(signedIn.getByRole("row")).toHaveCount(2);
  await expect(signedIn.getByText("This device", { exact: true })).toHaveCount(1);
  // Its access token is refused as soon as the gateway hears of it (about a second), its
  // refresh at once: the other device's next pages, without a reload, send it to sign in.
  let next = 0;
  await expect(async () => {
    const label = ["Campaigns", "Rules"][next++ % 2];
    await other.getByRole("link", { name: label, exact: true }).click();
    await expect(other).toHaveURL(/\/login$/, { timeout: 1500 });
  }).toPass({ timeout: 10_000 });
  // Signed in there again (for the password change to sign out), it is back where it was.
  const wasOn = ["Campaigns", "Rules"][(next - 1) % 2];
  await other.getByLabel("Email").fill(email);
  await other.getByLabel("Password").fill(PASSWORD);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByRole("heading", { name: wasOn, level: 1 })).toBeVisible();

  const current = page.getByLabel("Current password");
  const fresh = page.getByLabel("New password", { exact: true });
  const repeat = page.getByLabel("Repeat new password");
  const change = page.getByRole("button", { name: "Change password" });
  await expect(current).toHaveAttribute("autocomplete", "current-password");
  await expect(fresh).toHaveAttribute("autocomplete", "new-password");
  await expect(repeat).toHaveAttribute("autocomplete", "new-password");

  // Checked on the form: too short, not repeated, the current one again.
  await current.fill(PASSWORD);
  await fresh.fill("short");
  await repeat.fill("shorter");
  await change.click();
  await expect(fresh).toHaveAccessibleDescription(/At least 8 characters\./);
  await expect(repeat).toHaveAccessibleDescription("The passwords differ.");
  await fresh.fill(PASSWORD);
  await repeat.fill(PASSWORD);
  await change.click();
  await expect(fresh).toHaveAccessibleDescription(/must differ from the current one/);

  // A wrong current password: identity's 422 under the field.
  await current.fill("not my password");
  await fresh.fill(NEW_PASSWORD);
  await repeat.fill(NEW_PASSWORD);
  await change.click();
  await expect(current).toHaveAccessibleDescription("Current password is incorrect");
  await expect(current).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  await current.fill(PASSWORD);
  await change.click();
  await expect(page.getByRole("form", { name: "Change password" }).getByRole("status")).toHaveText(
    "Password changed. You stay signed in here; every other device is signed out.",
  );
  for (const field of [current, fresh, repeat]) await expect(field).toHaveValue("");
  // The list is read again: only this browser's new session is left.
  await expect(signedIn.getByRole("row")).toHaveCount(2);
  await expect(signedIn.getByText("This device", { exact: true })).toHaveCount(1);
  await expectAccessible(page);
  await screenshot(page, info, "settings");

  // This tab goes on with the new session (its cookie set by the change): a reload keeps it.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/settings$/);
  // The other device's session ended: its next refresh (a reload) sends it to sign in.
  await other.reload();
  await expect(other).toHaveURL(/\/login$/);

  // Signed out, the old password is refused and the new one accepted.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText(/invalid/i);
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Signed in (back on the page the session ended on, or the overview).
  await expect(page.getByRole("link", { name: `Settings: ${email} · free` })).toBeVisible();

  // Sign out everywhere: this browser and the other device.
  await signIn(other, email, NEW_PASSWORD);
  await openSettings(page, email);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Sign out everywhere?" });
  await expect(dialog).toContainText(
    "Every device signed in to AdScale, this one included, is signed out at once.",
  );
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("status")).toHaveText("Signed out on every device.");
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login$/); // no session left in this browser
  await other.reload();
  await expect(other).toHaveURL(/\/login$/);
  await laptop.close();
});
