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

test("webhooks journey: subscribe, secret shown once, test send, delivery log with attempts", async ({
  page,
}, info) => {
  const ok = await receiver(204);
  const down = await receiver(500);
  try {
    await registerNewUser(page, "webhooks");
    await page.getByRole("link", { name: "Webhooks" }).click();
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
    await expect(log).toContainText("#1");
    await expectAccessible(page);
    await screenshot(page, info, "webhook");

    // A receiver answering 500: the failed attempt is in the log with its code.
    await page.getByRole("link", { name: "Webhooks" }).click();
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
