// Regenerates src/api/schema.d.ts from the gateway's merged OpenAPI document.
// ADSCALE_API_URL=http://127.0.0.1:8107 npm run gen:api   reads the running gateway's /openapi.json;
// without it the document is built in-process by scripts/dump_openapi.py (no stack needed).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderSchema } from "./render-schema.mjs";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const base = process.env.ADSCALE_API_URL;
let document;
if (base) {
  const response = await fetch(`${base.replace(/\/$/, "")}/openapi.json`);
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  document = await response.json();
} else {
  const out = execFileSync("uv", ["run", "python", "web/scripts/dump_openapi.py"], {
    cwd: resolve(web, ".."),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  document = JSON.parse(out);
}
const target = resolve(web, "src/api/schema.d.ts");
writeFileSync(target, await renderSchema(document));
console.log(`wrote ${target} (${Object.keys(document.paths).length} paths)`);
