// Stripe's side of Checkout in development. stripe-mock (stateless, no hosted pages, no
// webhooks) answers a Checkout Session whose `url` points at https://checkout.stripe.com;
// the browser test serves that page itself and, when "paid", sends the signed
// `checkout.session.completed` Stripe would send to billing's public webhook.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";

function webhookSecret(): string {
  const fromEnv = process.env.BILLING_STRIPE_WEBHOOK_SECRET;
  if (fromEnv) return fromEnv;
  const home = process.env.ADSCALE_HOME ?? join(process.cwd(), "..", ".adscale");
  const line = readFileSync(join(home, "secrets.env"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("BILLING_STRIPE_WEBHOOK_SECRET="));
  if (!line) throw new Error("BILLING_STRIPE_WEBHOOK_SECRET is not configured for the stack");
  return line.slice(line.indexOf("=") + 1).trim();
}

/** POSTs a Stripe event to billing's webhook, signed as Stripe signs (`t=…,v1=HMAC`). */
export async function deliverStripeEvent(
  baseURL: string,
  type: string,
  object: Record<string, unknown>,
): Promise<number> {
  const payload = JSON.stringify({
    id: `evt_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
    object: "event",
    api_version: "2025-03-31.basil",
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", webhookSecret()).update(`${t}.${payload}`).digest("hex");
  const response = await fetch(new URL("/api/v1/billing/webhooks/stripe", baseURL), {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": `t=${t},v1=${v1}` },
    body: payload,
  });
  return response.status;
}

/**
 * Serves Stripe's hosted Checkout page for the sessions stripe-mock creates: a "Pay" button
 * that first delivers `checkout.session.completed` for `user` and `plan`, then returns to
 * the app's success URL (as Stripe does), and a link back to the cancel URL.
 */
export async function playStripeCheckout(
  page: Page,
  baseURL: string,
  user: { id: string; plan: string },
): Promise<void> {
  await page.route("https://checkout.stripe.com/**", async (route) => {
    const session = new URL(route.request().url()).pathname.split("/").pop() ?? "cs_test";
    const success = new URL(`/billing/success?session_id=${session}`, baseURL).toString();
    const cancel = new URL("/billing/cancel", baseURL).toString();
    await route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><title>Stripe Checkout (test)</title>
<h1>Pay AdScale ${user.plan}</h1><a id="pay" href="${success}">Pay</a> <a href="${cancel}">Back</a>`,
    });
  });
  await page.route(
    (url) => url.pathname === "/billing/success",
    async (route) => {
      if (route.request().isNavigationRequest()) {
        const status = await deliverStripeEvent(baseURL, "checkout.session.completed", {
          id: new URL(route.request().url()).searchParams.get("session_id"),
          object: "checkout.session",
          mode: "subscription",
          status: "complete",
          payment_status: "paid",
          client_reference_id: user.id,
          customer: `cus_${randomUUID().replaceAll("-", "").slice(0, 14)}`,
          subscription: `sub_${randomUUID().replaceAll("-", "").slice(0, 20)}`,
          metadata: { user_id: user.id, plan: user.plan },
        });
        if (status !== 200) throw new Error(`billing refused the Stripe event (${status})`);
      }
      await route.continue();
    },
  );
}
