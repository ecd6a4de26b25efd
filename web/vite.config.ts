/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { readFileSync } from "node:fs";

// In development and in the browser tests the app talks to same-origin paths that this
// server forwards to the services, so no CORS is needed locally. Production builds read
// their API URLs from public/config.js (see src/config.ts).
const commandTarget = process.env.GESCOM_COMMAND_URL ?? "http://127.0.0.1:8081";
const readTarget = process.env.GESCOM_READ_URL ?? "http://127.0.0.1:8082";

const proxy = {
  "/api/command": {
    target: commandTarget,
    changeOrigin: true,
    // Names the browser in X-Forwarded-For (deploy/dev trusts this proxy for it).
    xfwd: true,
    rewrite: (path: string) => path.replace(/^\/api\/command/, ""),
    // The refresh cookie is scoped to the service's /auth, which the browser sees here.
    cookiePathRewrite: { "/auth": "/api/command/auth" },
  },
  "/api/read": {
    target: readTarget,
    changeOrigin: true,
    xfwd: true,
    rewrite: (path: string) => path.replace(/^\/api\/read/, ""),
  },
};

// The production server's security headers (nginx's include), so that deploy/dev and the
// browser tests run the app under the policy it is deployed with.
const securityHeaders = Object.fromEntries(
  [...readFileSync(new URL("../deploy/web/security-headers.conf", import.meta.url), "utf8").matchAll(
    /^add_header\s+(\S+)\s+"([^"]*)"\s+always;$/gm,
  )].map((m) => [m[1], m[2]]),
);
if (!securityHeaders["Content-Security-Policy"]) throw new Error("no CSP in deploy/web/security-headers.conf");

export default defineConfig({
  plugins: [react()],
  server: { proxy, host: "127.0.0.1" },
  preview: { proxy, host: "127.0.0.1", headers: securityHeaders },
  // One initial chunk for now; `npm run size` enforces the budget (250 KB gzipped), so
  // Vite's generic 500 kB (unzipped) warning is raised to where it would mean something.
  build: { target: "es2022", sourcemap: true, chunkSizeWarningLimit: 900 },
  test: {
    // Logic tests run in node; component tests ask for jsdom in their first line.
    environment: "node",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
