// The browser tests: starts a private gescom (e2e/stack.mjs), serves the built app with
// `vite preview` proxying /api/command and /api/read to it, drives Debian's chromium with
// playwright-core through each scenario of e2e/scenarios/, then tears everything down.
//
//   npm run e2e                 build the app and the services, run every scenario
//   GESCOM_E2E_BIN=dir npm run e2e   use prebuilt command-api, read-api, projector
import { readdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { preview } from "vite";
import { startStack, chromiumPath, ADMIN_EMAIL, ADMIN_PASSWORD } from "./stack.mjs";
import { createHarness } from "./harness.mjs";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const results = join(web, "test-results");
const only = process.argv[2];
const SCENARIO_TIMEOUT_MS = 120_000;

let stack = null;
let server = null;
let browser = null;
let stopping = null;

async function teardown() {
  stopping ??= (async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    await stack?.stop();
  })();
  return stopping;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping`);
    void teardown().finally(() => process.exit(130));
  });
}

let failed = 0;
try {
  await rm(results, { recursive: true, force: true });
  stack = await startStack({ logDir: join(results, "logs") });
  process.env.GESCOM_COMMAND_URL = stack.commandUrl;
  process.env.GESCOM_READ_URL = stack.readUrl;
  server = await preview({ root: web, preview: { port: 0, strictPort: false, open: false }, logLevel: "warn" });
  const baseUrl = server.resolvedUrls.local[0].replace(/\/$/, "");
  console.log(`[e2e] app on ${baseUrl}`);
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });

  const dir = join(web, "e2e", "scenarios");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".mjs")).sort();
  for (const file of files) {
    const name = file.replace(/\.mjs$/, "");
    if (only && !name.includes(only)) continue;
    const scenario = await import(pathToFileURL(join(dir, file)).href);
    const context = await browser.newContext({ locale: "fr-FR", timezoneId: "Europe/Paris", baseURL: baseUrl });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // The preview server sends the production CSP: anything it blocks is a failure.
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) errors.push(m.text());
    });
    if (process.env.E2E_CONSOLE) page.on("console", (m) => console.log(`    [console] ${m.text()}`));
    const harness = createHarness(results, name);
    const started = Date.now();
    console.log(`[e2e] ${name}: ${scenario.title}`);
    try {
      let timer;
      await Promise.race([
        scenario.run({
          page,
          baseUrl,
          harness,
          stack,
          admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        }),
        new Promise((_, reject) => {
          // A scenario whose work grows with its input (13's seeded rows) states its own limit.
          const limit = scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS;
          timer = setTimeout(() => reject(new Error(`over ${limit / 1000} s`)), limit);
        }),
      ]).finally(() => clearTimeout(timer));
      if (errors.length) throw new Error(`errors in the page: ${errors.join("; ")}`);
      console.log(`[e2e] ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s, ${harness.checked.length} pages checked)`);
    } catch (error) {
      failed += 1;
      await page.screenshot({ path: join(results, `${name}-FAILED.png`), fullPage: true }).catch(() => {});
      console.error(`[e2e] ✗ ${name}: ${error.stack ?? error}`);
    } finally {
      await context.close();
    }
  }
} catch (error) {
  failed += 1;
  console.error(`[e2e] ${error.stack ?? error}`);
} finally {
  await teardown();
}
console.log(failed ? `[e2e] ${failed} failed` : "[e2e] all passed");
process.exit(failed ? 1 : 0);
