import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { expectAccessible, registerNewUser, screenshot } from "./support";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback (the dev stack admits loopback webhook URLs). */
async function receiver(status: number) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, received, close: () => server.close() };
}

/** Standard Webhooks: base64 HMAC-SHA256 of "id.timestamp.body" under the secret's bytes. */
function signatureOf(secret: string, r: Received): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`;
  return `v1,${createHmac("sha256", key).update(signed).digest("base64")}`;
}

test("webhooks journey: subscribe, secret shown once, test send, delivery log, disable/enable, rotate the secret", async ({
  page,
}, info) => {
  const ok = await receiver(204);
  const down = await receiver(500);
  try {
    await registerNewUser(page, "webhooks");
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await expect(page.getByText("No webhooks yet")).toBeVisible();
    await page.getByLabel("Receiver URL").fill("not a url");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await expect(page.getByText("An http(s) URL")).toBeVisible();
    // The API's own refusal lands on the field: a private address is not a receiver.
    await page.getByLabel("Receiver URL").fill("http://10.0.0.1/hooks");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await expect(page.getByRole("alert").first()).toBeVisible();

    await page.getByLabel("Receiver URL").fill(ok.url);
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    await expectAccessible(page);
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByText(secret)).toHaveCount(0); // shown once

    await page.getByRole("link", { name: ok.url }).click();
    await expect(page.getByText("No deliveries yet")).toBeVisible();
    await page.getByLabel("Sample event").selectOption({ label: "Rule executed" });
    await page.getByRole("button", { name: "Send test" }).click();
    const sent = page.getByRole("form", { name: "Send a test" }).getByRole("status");
    await expect(sent).toContainText("Delivered: 204");
    expect(ok.received).toHaveLength(1);
    const [first] = ok.received;
    expect(first?.headers["webhook-signature"]).toBe(signatureOf(secret, first as Received));
    expect(JSON.parse(first?.body ?? "{}").event).toBe("rule.executed");
    const log = page.getByRole("table", { name: /Delivery log/ });
    await expect(log.getByRole("row")).toHaveCount(2);
    await expect(log).toContainText("succeeded");
    await expect(log).toContainText("Attempt 1,");
    await expectAccessible(page);

    // Disable: the page and the list say so; nothing is lost by enabling it again.
    const state = page
      .getByRole("region", { name: "State and signing secret" })
      .getByRole("status");
    await expect(state).toContainText("enabled");
    await page.getByRole("button", { name: "Disable" }).click();
    await expect(state).toContainText("disabled");
    await expect(state).toContainText("Turned off by you");
    await expect(page.getByRole("button", { name: "Enable" })).toBeVisible();
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    const listed = page.getByRole("row").filter({ has: page.getByRole("link", { name: ok.url }) });
    await expect(listed).toContainText("disabled (manual)");
    await page.getByRole("link", { name: ok.url }).click();
    await page.getByRole("button", { name: "Enable" }).click();
    await expect(state).toContainText("enabled");
    await expect(state).toContainText("Events are delivered");
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await expect(listed).toContainText("enabled");
    await page.getByRole("link", { name: ok.url }).click();

    // Rotate, after a confirmation: the new secret shown once, with the old one's deadline.
    const rotation = page.waitForResponse((r) => r.url().endsWith("/rotate-secret"));
    await page.getByRole("button", { name: "Rotate secret" }).click();
    const confirm = page.getByRole("alertdialog");
    await expect(confirm).toContainText("your receiver must verify with it");
    await confirm.getByRole("button", { name: "Rotate secret" }).click();
    const until = ((await (await rotation).json()) as { previous_secret_expires_at: string })
      .previous_secret_expires_at;
    const rotated = (await page.getByTestId("rotated-secret").textContent()) ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    // The stack keeps the default overlap: the previous secret signs for 24 more hours.
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const shownUntil = await page.evaluate(
      (v) =>
        `${new Date(v).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`,
      until,
    );
    const once = page.getByRole("region", { name: "New signing secret" });
    await expect(once).toContainText("shown only once");
    await expect(once).toContainText(`The previous secret stays valid until ${shownUntil}`);
    await expect(page.getByRole("region", { name: "State and signing secret" })).toContainText(
      `until ${shownUntil}, also with the previous one`,
    );

    // A test send now carries two signatures: the new secret's first, then the previous
    // one's (delivery.signing_secrets during the overlap), so a receiver still verifying
    // with the old secret keeps accepting until then, and one switched over accepts too.
    const tested = page.waitForResponse((r) => r.url().endsWith("/test"));
    await page.getByRole("button", { name: "Send test" }).click();
    await tested;
    await expect(sent).toContainText("Delivered: 204");
    expect(ok.received).toHaveLength(2);
    const second = ok.received[1] as Received;
    const signatures = String(second.headers["webhook-signature"]).split(" ");
    expect(signatures).toEqual([signatureOf(rotated, second), signatureOf(secret, second)]);
    await expect(log.getByRole("row")).toHaveCount(3);
    await expectAccessible(page);
    await screenshot(page, info, "webhook");
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByText(rotated)).toHaveCount(0); // shown once
    await page.reload();
    await expect(page.getByRole("region", { name: "State and signing secret" })).toBeVisible();
    await expect(page.getByText(rotated)).toHaveCount(0);

    // A receiver answering 500: the failed attempt is in the log with its code.
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.getByLabel("Receiver URL").fill(down.url);
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("link", { name: down.url }).click();
    await page.getByRole("button", { name: "Send test" }).click();
    await expect(sent).toContainText("Not delivered: 500");
    await expect(page.getByRole("table", { name: /Delivery log/ })).toContainText("500");

    await page.getByRole("button", { name: "Delete webhook" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete webhook" }).click();
    await expect(page.getByRole("link", { name: down.url })).toHaveCount(0);
    await expect(page.getByRole("link", { name: ok.url })).toBeVisible();
  } finally {
    ok.close();
    down.close();
  }
});
