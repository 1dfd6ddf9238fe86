import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, type TestInfo } from "@playwright/test";

export const SANDBOX = process.env.ADSCALE_SANDBOX_URL ?? "http://127.0.0.1:8110";
export const PASSWORD = "correct horse 1";

export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Registers through the sign-up page, as a new user would; lands on the overview. */
export async function registerNewUser(page: Page, tag: string): Promise<string> {
  const email = uniqueEmail(tag);
  await page.goto("/register");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  return email;
}

/**
 * Saves a full-page screenshot in the test's output folder (and for the README on request);
 * `fullPage: false` for the viewport only, e.g. with a modal open (its overlay is fixed).
 */
export async function screenshot(
  page: Page,
  info: TestInfo,
  name: string,
  { fullPage = true }: { fullPage?: boolean } = {},
): Promise<void> {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage });
  const docs = process.env.ADSCALE_SCREENSHOTS_DIR;
  if (docs) {
    mkdirSync(docs, { recursive: true });
    copyFileSync(path, join(docs, `${name}.png`));
  }
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
  ).toEqual([]);
}

export interface MetaLogin {
  /** The sandbox user who consented: pass it to `metaLogin` again for a new token. */
  user: string;
  token: string;
  accountId: string;
  campaignIds: string[];
}

/**
 * A Meta user consents in the platform sandbox: their token, ad account and campaigns. A new
 * user each time, or `user` again (a fresh token for the same ad accounts, e.g. to reconnect).
 */
export async function metaLogin(
  user = `web-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
): Promise<MetaLogin> {
  const redirect = "http://localhost/oauth/meta";
  const dialog = new URL(`${SANDBOX}/meta/www/v25.0/dialog/oauth`);
  dialog.search = new URLSearchParams({
    client_id: "adscale-web-e2e",
    redirect_uri: redirect,
    sandbox_user: user,
  }).toString();
  const consent = await fetch(dialog, { redirect: "manual" });
  const code = new URL(consent.headers.get("location") ?? "").searchParams.get("code");
  if (!code) throw new Error(`sandbox consent gave no code (${consent.status})`);
  const exchanged = await fetch(`${SANDBOX}/meta/graph/v25.0/oauth/access_token`, {
    method: "POST",
    body: new URLSearchParams({
      client_id: "adscale-web-e2e",
      client_secret: "sandbox",
      redirect_uri: redirect,
      code,
    }),
  });
  const token = ((await exchanged.json()) as { access_token: string }).access_token;
  const auth = { Authorization: `Bearer ${token}` };
  const accounts = (await (
    await fetch(`${SANDBOX}/meta/graph/v25.0/me/adaccounts`, { headers: auth })
  ).json()) as {
    data: { id: string }[];
  };
  const accountId = (accounts.data[0]?.id ?? "").replace(/^act_/, "");
  const campaigns = (await (
    await fetch(`${SANDBOX}/meta/graph/v25.0/act_${accountId}/campaigns`, { headers: auth })
  ).json()) as { data: { id: string }[] };
  return { user, token, accountId, campaignIds: campaigns.data.map((c) => c.id) };
}

/** The sandbox revokes a platform token, as a user removing the app's access would. */
export async function revokeToken(platform: string, token: string): Promise<void> {
  const response = await fetch(`${SANDBOX}/_admin/tokens/revoke`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ platform, token }),
  });
  const body = (await response.json()) as { revoked: number };
  expect(body.revoked).toBeGreaterThanOrEqual(1);
}

/** Connects an ad account through the Ad accounts page. */
export async function connectAccount(
  page: Page,
  account: { platform: "Meta" | "Google"; externalId: string; name: string; token?: string },
): Promise<void> {
  await page.getByRole("link", { name: "Ad accounts", exact: true }).click();
  await page.getByLabel("Platform", { exact: true }).selectOption({ label: account.platform });
  await page.getByLabel("Account id on the platform").fill(account.externalId);
  await page.getByLabel("Name").fill(account.name);
  if (account.token) await page.getByLabel("Access token").fill(account.token);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page.getByRole("cell", { name: account.name, exact: true })).toBeVisible();
}

/** A signed-in page's access token, obtained the way the app gets one (cookie + CSRF). */
export async function accessTokenOf(page: Page): Promise<string> {
  const csrf = await page.evaluate(() =>
    decodeURIComponent(document.cookie.match(/adscale_csrf=([^;]+)/)?.[1] ?? ""),
  );
  const response = await page.request.post("/api/v1/session/refresh", {
    headers: { "X-CSRF-Token": csrf },
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Creates a campaign through the New campaign form; with `externalId`, refreshes its metrics. */
/** A new user signed in, with the sandbox's Meta ad account connected as ``name``. */
export async function newMetaAdvertiser(page: Page, tag: string, name: string): Promise<MetaLogin> {
  const meta = await metaLogin();
  await registerNewUser(page, tag);
  await connectAccount(page, {
    platform: "Meta",
    externalId: meta.accountId,
    name,
    token: meta.token,
  });
  return meta;
}

export async function createCampaign(
  page: Page,
  campaign: {
    name: string;
    account: string;
    budget: string;
    externalId?: string;
    active?: boolean;
  },
): Promise<void> {
  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await page.getByRole("link", { name: "New campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill(campaign.name);
  await page.getByLabel("Ad account").selectOption({ label: campaign.account });
  if (campaign.active) await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Daily budget (USD)").fill(campaign.budget);
  if (campaign.externalId) await page.getByLabel("Platform campaign id").fill(campaign.externalId);
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.getByRole("heading", { name: campaign.name })).toBeVisible();
  if (campaign.externalId) {
    await page.getByRole("button", { name: "Refresh from the platform" }).click();
    await expect(page.getByText("days updated")).toBeVisible();
  }
}

/** Creates a segment on the Segments page and imports `csv` into it; stays on its page. */
export async function createSegmentFromCsv(page: Page, name: string, csv: string): Promise<void> {
  await page.getByRole("link", { name: "Segments", exact: true }).click();
  await page.getByLabel("Segment name").fill(name);
  await page.getByRole("button", { name: "Create segment" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await page.getByLabel("CSV file").setInputFiles({
    name: "customers.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv),
  });
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByRole("region", { name: "Import preview" })).toBeVisible();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("region", { name: "Import result" })).toBeVisible();
}
