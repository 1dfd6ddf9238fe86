import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const BUDGET_BYTES = 250 * 1024;

test("the initial JavaScript of the production build is at most 250 KB gzip", async ({
  browserName: _,
}, info) => {
  // What index.html loads before any route: its module script and its modulepreloads.
  const index = readFileSync(join(DIST, "index.html"), "utf8");
  const scripts = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map(
    (m) => m[1] ?? "",
  );
  expect(scripts.length).toBeGreaterThan(0);
  const gzipped = scripts.map((s) => gzipSync(readFileSync(join(DIST, s)), { level: 9 }).length);
  const total = gzipped.reduce((a, b) => a + b, 0);
  info.annotations.push({ type: "initial-js-gzip-bytes", description: String(total) });
  console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzip in ${scripts.length} file(s)`);
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
});
