/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the app with hot reload and sends /api and /openapi.json to the
// running gateway (`make up`), so cookies and CSRF behave as in production (same origin).
const gateway = process.env.ADSCALE_API_URL ?? "http://127.0.0.1:8107";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target: gateway, changeOrigin: false },
      "/openapi.json": { target: gateway },
    },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
    // Charts and every page but sign-in load on demand; the entry stays small.
    chunkSizeWarningLimit: 400,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
