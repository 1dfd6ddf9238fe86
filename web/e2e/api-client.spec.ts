import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
// @ts-expect-error: a plain ES module script shared with `npm run gen:api`
import { renderSchema } from "../scripts/render-schema.mjs";

test("the committed API client matches the running gateway's /openapi.json", async ({
  request,
}) => {
  const response = await request.get("/openapi.json");
  expect(response.ok()).toBe(true);
  const fresh: string = await renderSchema(await response.json());
  const committed = readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), "..", "src", "api", "schema.d.ts"),
    "utf8",
  );
  expect(
    fresh === committed,
    "src/api/schema.d.ts is stale: run `ADSCALE_API_URL=http://127.0.0.1:8107 npm run gen:api`",
  ).toBe(true);
});
