import { expect, test } from "@playwright/test";
import { accessTokenOf, registerNewUser } from "./support";

test("tokens never reach web storage; the refresh cookie is httpOnly and Strict", async ({
  page,
  context,
}) => {
  await registerNewUser(page, "storage");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const stored = await page.evaluate(() => ({
    local: JSON.stringify({ ...window.localStorage }),
    session: JSON.stringify({ ...window.sessionStorage }),
    cookies: document.cookie,
  }));
  expect(stored.local).toBe("{}");
  expect(stored.session).toBe("{}");
  expect(stored.cookies).not.toContain("adscale_refresh");
  const cookies = await context.cookies();
  const refresh = cookies.find((c) => c.name === "adscale_refresh");
  expect(refresh).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/v1/session" });
  expect(cookies.find((c) => c.name === "adscale_csrf")).toMatchObject({ sameSite: "Strict" });
});

test("a refresh without the CSRF token is refused; with it, it rotates", async ({ page }) => {
  await registerNewUser(page, "csrf");
  const refused = await page.request.post("/api/v1/session/refresh");
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toEqual({ detail: "Missing or invalid CSRF token" });
  const forged = await page.request.post("/api/v1/session/refresh", {
    headers: { "X-CSRF-Token": "forged" },
  });
  expect(forged.status()).toBe(403);
  const csrf = await page.evaluate(() =>
    decodeURIComponent(document.cookie.match(/adscale_csrf=([^;]+)/)?.[1] ?? ""),
  );
  const ok = await page.request.post("/api/v1/session/refresh", {
    headers: { "X-CSRF-Token": csrf },
  });
  expect(ok.status()).toBe(200);
  expect(Object.keys(await ok.json()).sort()).toEqual(["access_token", "csrf_token", "token_type"]);
});

test("a spent refresh token replayed is refused and ends the session (reuse detection)", async ({
  page,
  context,
}) => {
  await registerNewUser(page, "reuse");
  const before = (await context.cookies()).find((c) => c.name === "adscale_refresh");
  const csrf = await page.evaluate(() =>
    decodeURIComponent(document.cookie.match(/adscale_csrf=([^;]+)/)?.[1] ?? ""),
  );
  const rotated = await page.request.post("/api/v1/session/refresh", {
    headers: { "X-CSRF-Token": csrf },
  });
  expect(rotated.status()).toBe(200);
  // A thief replays the old cookie value: identity sees reuse and revokes the family.
  const replay = await fetch(new URL("/api/v1/auth/refresh", page.url()), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: before?.value }),
  });
  expect(replay.status).toBe(401);
  await page.reload();
  await expect(page).toHaveURL(/\/login$/);
});

test("sign out revokes for real: the refresh token used after it is refused", async ({
  page,
  context,
}) => {
  await registerNewUser(page, "logout");
  const refresh = (await context.cookies()).find((c) => c.name === "adscale_refresh");
  expect(refresh?.value).toBeTruthy();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  // Someone who copied the cookie before sign-out tries it, with and without the browser.
  const direct = await fetch(new URL("/api/v1/auth/refresh", page.url()), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: refresh?.value }),
  });
  expect(direct.status).toBe(401);
  expect(await direct.json()).toEqual({ detail: "Invalid or expired refresh token" });
  await context.addCookies([
    { ...(refresh as NonNullable<typeof refresh>) },
    { name: "adscale_csrf", value: "restored", url: page.url() },
  ]);
  const viaSession = await page.request.post("/api/v1/session/refresh", {
    headers: { "X-CSRF-Token": "restored" },
  });
  expect(viaSession.status()).toBe(401);
});

test("the app is served with a strict CSP and the right caching", async ({ page }) => {
  const response = await page.goto("/campaigns/00000000-0000-4000-8000-000000000000");
  const headers = response?.headers() ?? {};
  expect(headers["content-security-policy"]).toContain("script-src 'self'");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).not.toContain("unsafe-inline");
  expect(headers["cache-control"]).toBe("no-cache");
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(violations).toEqual([]);
});

test("another user's campaign URL shows not found, never the data", async ({ page, browser }) => {
  // The owner makes a campaign through the API with their own session's access token.
  const owner = await browser.newContext();
  const ownerPage = await owner.newPage();
  await registerNewUser(ownerPage, "owner");
  const headers = { Authorization: `Bearer ${await accessTokenOf(ownerPage)}` };
  const account = await (
    await ownerPage.request.post("/api/v1/accounts", {
      headers,
      data: { platform: "google", account_id_external: "999-000-1111", account_name: "Owner's" },
    })
  ).json();
  const created = await ownerPage.request.post("/api/v1/campaigns", {
    headers,
    data: { ad_account_id: account.id, name: "Owner secret plan", objective: "sales" },
  });
  expect(created.status()).toBe(201);
  const campaign = await created.json();
  await owner.close();

  await registerNewUser(page, "intruder");
  await page.goto(`/campaigns/${campaign.id}`);
  await expect(page.getByText("Campaign not found")).toBeVisible();
  await expect(page.getByText("Owner secret plan")).toHaveCount(0);
  await page.goto(`/campaigns/${campaign.id}/edit`);
  await expect(page.getByText("Campaign not found")).toBeVisible();
  await expect(page.getByText("Owner secret plan")).toHaveCount(0);
});
