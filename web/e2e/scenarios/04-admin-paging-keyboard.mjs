// The admin signs in with the keyboard only, skips to the content, and pages through 27
// products of one category with keyset paging (25 a page), searches, sorts.
import assert from "node:assert/strict";
import { createProducts } from "../api.mjs";

export const title = "admin: keyboard sign-in, skip link, filters, sort and keyset paging";

export async function run({ page, baseUrl, harness, admin }) {
  const products = Array.from({ length: 27 }, (_, i) => {
    const n = String(i + 1).padStart(2, "0");
    return {
      sku: `LOT-${n}`,
      name: `Article de lot ${n}`,
      price: `${i + 1}.00`,
      vat_rate: "20",
      unit: "piece",
      category: "Lot",
    };
  });
  const last = await createProducts(baseUrl, admin, products);

  // Keyboard only: the e-mail field has the focus; Tab, Enter.
  await page.goto("/login");
  await page.waitForFunction(() => document.activeElement?.getAttribute("type") === "email");
  await page.keyboard.type(admin.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(admin.password);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/products");
  await page.getByRole("heading", { name: "Produits", level: 1 }).waitFor();

  // The first Tab reaches the skip link, which moves the focus to the content.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Aller au contenu");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main");

  // Filter on the category (the URL keeps it), sort by SKU descending.
  await page.getByLabel("Catégorie", { exact: true }).fill("Lot");
  await page.waitForURL(/category=Lot/);
  // The products are projected asynchronously: wait for the last one.
  await page.getByText("27 produit(s)").waitFor({ timeout: 20_000 });
  assert.ok(last);
  await page.getByRole("combobox", { name: "Trier par" }).click();
  await page.getByRole("option", { name: "Référence (Z→A)" }).click();
  await page.waitForURL(/sort=-sku/);
  const skus = () => page.locator("tbody tr td:first-child").allInnerTexts();
  await page.waitForFunction(() => document.querySelector("tbody tr td")?.textContent === "LOT-27");
  assert.equal((await skus()).length, 25);
  await page.getByText("Page 1", { exact: true }).waitFor();
  await harness.checkPage(page, "products-page-1");

  await page.getByRole("button", { name: "Page suivante" }).click();
  await page.getByText("Page 2", { exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 2);
  assert.deepEqual(await skus(), ["LOT-02", "LOT-01"]);
  assert.ok(await page.getByRole("button", { name: "Page suivante" }).isDisabled());
  await harness.checkPage(page, "products-page-2");

  await page.getByRole("button", { name: "Page précédente" }).click();
  await page.getByText("Page 1", { exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 25);

  // Search narrows the list and starts again from the first page.
  await page.getByLabel("Rechercher (nom ou référence)").fill("lot 1");
  await page.waitForURL(/q=lot/);
  await page.getByText("10 produit(s)").waitFor();
  assert.deepEqual((await skus()).slice(0, 2), ["LOT-19", "LOT-18"]);

  // Timing (reported, not asserted): from the menu click to a filled table.
  await page.getByRole("link", { name: "Changer le mot de passe" }).click();
  await page.getByRole("heading", { name: "Changer le mot de passe" }).waitFor();
  const started = Date.now();
  await page.getByRole("navigation").getByRole("link", { name: "Produits" }).click();
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 25);
  const shown = Date.now() - started;
  const total = await page.getByText(/produit\(s\)$/).innerText();
  console.log(`    products list shown in ${shown} ms (${total} active in the database)`);
}
