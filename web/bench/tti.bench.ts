// Time to interactive of the overview and campaigns pages on the local stack: from the
// navigation's start to the page's data on screen with its controls enabled, for a signed-in
// user reloading the page (access token gone, refresh cookie kept). Median of RUNS loads.
import { expect, type Page, test } from "@playwright/test";
import { connectAccount, createCampaign, metaLogin, registerNewUser } from "../e2e/support";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GOAL_MS = 1000;

async function interactiveAt(page: Page, path: string, ready: string): Promise<number> {
  await page.goto(path);
  await page.locator(ready).first().waitFor({ state: "visible" });
  await expect(page.getByRole("button", { name: "Sign out" })).toBeEnabled();
  return page.evaluate(() => performance.now());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

test("time to interactive: overview and campaigns", async ({ page }) => {
  test.setTimeout(180_000);
  const meta = await metaLogin();
  await registerNewUser(page, "bench");
  await connectAccount(page, {
    platform: "Meta",
    externalId: meta.accountId,
    name: "Bench account",
    token: meta.token,
  });
  for (const [i, external] of meta.campaignIds.slice(0, 2).entries()) {
    await createCampaign(page, {
      name: `Bench campaign ${i + 1}`,
      account: "Bench account (meta)",
      budget: "40",
      externalId: external,
    });
  }

  const pages: Array<[string, string, string]> = [
    ["overview", "/", "figure.chart"],
    ["campaigns", "/campaigns", "table tbody tr"],
  ];
  const lines: string[] = [];
  for (const [name, path, ready] of pages) {
    const samples: number[] = [];
    for (let run = 0; run < RUNS; run++) samples.push(await interactiveAt(page, path, ready));
    const m = median(samples);
    lines.push(
      `web tti ${name}: median ${m.toFixed(0)} ms (min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)}, ${RUNS} reloads; goal <= ${GOAL_MS} ms) ${m <= GOAL_MS ? "OK" : "SLOW"}`,
    );
  }
  console.log(lines.join("\n"));
});
