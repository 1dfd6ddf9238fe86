import { defineConfig } from "@playwright/test";

// The browser suite drives Debian's Chromium (apt) against the real stack that `make up`
// starts; deploy/web_suite.py starts it when it is not running. No browser is downloaded.
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  globalSetup: "./e2e/global-setup.ts",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["line"]] : [["list"]],
  use: {
    baseURL: process.env.ADSCALE_GATEWAY_URL ?? "http://127.0.0.1:8107",
    headless: true,
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    },
  },
});
