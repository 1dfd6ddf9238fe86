import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// `npm run bench`: the time-to-interactive benchmark, same browser and stack as the e2e suite.
export default defineConfig({
  ...base,
  testDir: "bench",
  testMatch: "*.bench.ts",
  outputDir: "test-results/bench",
  reporter: [["line"]],
});
