// The admin imports products from a CSV file in the browser: the dry run shows a bad
// price on its line and field, nothing is imported; the corrected file passes the check and
// is confirmed. Then many products are imported through the API (E2E_SEED_ROWS, default
// 10,000) and the time from the menu click to a filled products table is printed, as is
// the time of a search over them (reported, not asserted).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { login } from "../api.mjs";
import { api, menu, signIn } from "../flows.mjs";

export const title = "admin: products CSV import (dry-run errors, then confirmed); list timing over many rows";

const HEADER = "sku;name;price;vat_rate;unit;category;barcode;low_stock_threshold;status";
const SEED = Number(process.env.E2E_SEED_ROWS ?? "10000");
// Importing and projecting take about 1 ms a row on this machine; leave room for a busy one.
const PROJECTION_LIMIT_MS = 60_000 + SEED * 3;
export const timeoutMs = 120_000 + SEED * 4;

export async function run({ page, baseUrl, harness, admin }) {
  const dir = join(process.cwd(), "test-results");
  const bad = join(dir, "13-products-bad.csv");
  const good = join(dir, "13-products.csv");
  const rows = ["IMP-001;Équerre 30 cm;7,90;20;piece;Outillage;;5;active", "IMP-002;Niveau à bulle;14,50;20;piece;Outillage;;;active"];
  await writeFile(bad, [HEADER, ...rows, "IMP-003;Scie égoïne;abc;20;piece;Outillage;;;active", ""].join("\n"));
  await writeFile(good, [HEADER, ...rows, "IMP-003;Scie égoïne;19,90;20;piece;Outillage;;;active", ""].join("\n"));

  await signIn(page, admin);
  await menu(page, "Produits");
  await page.getByRole("link", { name: "Importer un CSV" }).click();
  await page.getByRole("heading", { name: "Importer des produits (CSV)" }).waitFor();
  await page.locator('input[type="file"]').setInputFiles(bad);
  await page.getByRole("button", { name: "Vérifier (essai à blanc)" }).click();
  const errorRow = page.getByTestId("import-report").locator('tr[data-status="error"]');
  await errorRow.waitFor();
  assert.match(await errorRow.textContent(), /^4IMP-003Erreurprice/);
  assert.ok(await page.getByRole("button", { name: "Confirmer l'import" }).isDisabled());
  await harness.checkPage(page, "products-import-errors");

  await page.locator('input[type="file"]').setInputFiles(good);
  await page.getByRole("button", { name: "Vérifier (essai à blanc)" }).click();
  await page.getByText("Vérification réussie : confirmez pour importer.").waitFor();
  await page.getByRole("button", { name: "Confirmer l'import" }).click();
  await page.getByText("Import effectué.").waitFor();
  await harness.checkPage(page, "products-imported");
  await menu(page, "Produits");
  await page.getByLabel("Rechercher (nom ou référence)").fill("IMP-00");
  await page.getByTestId("product-IMP-003").waitFor();

  // Many rows, through the API in files of 5,000 (8 MiB at most each).
  // A fresh token for each call: the test stack's tokens live a short while.
  const fresh = () => login(baseUrl, admin.email, admin.password);
  const t0 = Date.now();
  for (let start = 0; start < SEED; start += 5000) {
    const token = await fresh();
    const lines = [HEADER];
    for (let i = start; i < Math.min(SEED, start + 5000); i += 1) {
      const n = String(i).padStart(6, "0");
      lines.push(`SEED-${n};Article de test ${n};${(i % 500) + 1},${String(i % 100).padStart(2, "0")};20;piece;Cat ${i % 40};;;active`);
    }
    const response = await fetch(`${baseUrl}/api/command/products/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
      body: lines.join("\n"),
    });
    assert.equal(response.status, 200, await response.text());
  }
  let total = 0;
  const deadline = Date.now() + PROJECTION_LIMIT_MS;
  while (Date.now() < deadline) {
    total = (await api(baseUrl, await fresh(), "GET", "/products?limit=1", undefined, { service: "read" })).total;
    if (total >= SEED) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`    seeded ${SEED} products by CSV import in ${Date.now() - t0} ms; ${total} projected`);
  assert.ok(total >= SEED, `only ${total} of ${SEED} products projected`);

  await menu(page, "Clients");
  await page.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
  const started = Date.now();
  await menu(page, "Produits");
  await page.getByTestId(/^product-/).first().waitFor();
  const shown = Date.now() - started;
  const searchStarted = Date.now();
  await page.getByLabel("Rechercher (nom ou référence)").fill("SEED-004321");
  await page.getByTestId("product-SEED-004321").waitFor();
  await page.getByText("1 produit(s)").waitFor();
  const searched = Date.now() - searchStarted;
  console.log(
    `    products page over ${total} rows: interactive ${shown} ms after the menu click; a search (300 ms debounce included) ${searched} ms`,
  );
  await harness.checkPage(page, "products-many");
}
