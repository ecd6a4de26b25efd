// What every browser scenario uses: an accessibility check with axe-core and a
// screenshot of each page it visits.
import { mkdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
// Evaluated through the DevTools protocol, not added as a <script>: the app's CSP (rightly)
// blocks inline scripts.
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The WCAG 2.1 A and AA rules. */
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/**
 * Resolves once no finite CSS animation or transition runs in the page (spinners, which
 * never end, are left alone). Bounded by rounds, not by time: each round waits for what
 * runs now to finish, then two frames for what that started.
 */
export async function settle(page) {
  await page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    for (let round = 0; round < 20; round += 1) {
      await frame();
      await frame();
      const running = document
        .getAnimations()
        .filter((a) => a.playState === "running" && a.effect?.getComputedTiming().iterations !== Infinity);
      if (running.length === 0) return;
      await Promise.all(running.map((a) => a.finished.catch(() => undefined)));
    }
  });
}

export function createHarness(outDir, scenario) {
  let step = 0;
  const checked = [];
  return {
    checked,
    /**
     * Saves a screenshot, then runs axe-core in the page; fails on a serious or critical
     * violation (minor and moderate ones are printed).
     */
    async checkPage(page, label) {
      step += 1;
      // axe reads colours as they are drawn: a toast or panel fading in would fail the
      // contrast rule by the frame it was caught in.
      await settle(page);
      await mkdir(outDir, { recursive: true });
      const file = join(outDir, `${scenario}-${String(step).padStart(2, "0")}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
      const results = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
        AXE_TAGS,
      );
      const describe = (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`;
      for (const v of results.violations.filter((v) => !["serious", "critical"].includes(v.impact))) {
        console.log(`    axe (${label}) ${describe(v)}`);
      }
      const serious = results.violations.filter((v) => ["serious", "critical"].includes(v.impact));
      checked.push({ label, file, serious: serious.length, violations: results.violations.length });
      if (serious.length > 0) {
        throw new Error(`axe on ${label}:\n  ${serious.map(describe).join("\n  ")}`);
      }
      console.log(`    ✓ ${label}: axe clean of serious/critical, screenshot ${file}`);
    },
  };
}
