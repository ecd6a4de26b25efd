// Marc (warehouse) receives stock for a product that ran low (low-stock filter, adjustment
// with a reason, the movement listed, quantities with their unit), then fulfils a submitted
// order after a dialog that says the stock will leave the warehouse; he may not edit the
// order's lines nor see the dashboard.
import assert from "node:assert/strict";
import { field } from "../api.mjs";
import { menu, readyUser, signIn, stockedProducts, submittedOrder } from "../flows.mjs";

export const title = "warehouse: low stock, receipt, movements, fulfil an order";

/** Dialogs and calendars have finished fading in: axe would otherwise read their colours mid-transition. */
async function settled(page) {
  await page.waitForFunction(
    () =>
      document.getAnimations().filter((a) => a.effect?.target?.closest?.(".mantine-Modal-root, .mantine-Popover-dropdown")).length === 0,
  );
}

export async function run({ page, baseUrl, harness, admin }) {
  const ids = await stockedProducts(baseUrl, admin, [
    { sku: "MART-500", name: "Marteau 500 g", price: "18.00", stock: "3", threshold: "5" },
    { sku: "PINC-200", name: "Pince coupante", price: "22.00", stock: "30", threshold: "5" },
  ]);
  const order = await submittedOrder(
    baseUrl,
    admin,
    { code: "BRICO", legal_name: "Brico Dépôt Lyon" },
    [{ product_id: ids["PINC-200"], quantity: "4" }],
  );
  const marc = await readyUser(baseUrl, admin, { email: "marc@example.com", display_name: "Marc Petit", roles: ["warehouse"] });
  await signIn(page, marc);
  const nav = page.getByRole("navigation", { name: "Navigation principale" });
  await nav.getByRole("link", { name: "Stock" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "Tableau de bord" }).count(), 0);
  // Invoices and receivables are for sales, admin and analyst.
  assert.equal(await nav.getByRole("link", { name: "Factures" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "Créances" }).count(), 0);

  // Other scenarios' products are there too: search for these.
  await menu(page, "Stock");
  const search = page.getByLabel("Rechercher (nom ou référence)");
  await search.fill("PINC-200");
  await page.getByTestId("stock-PINC-200").waitFor();
  await page.getByLabel("Stock bas seulement").click();
  await page.waitForURL("**/stock?*low=true*");
  await page.getByTestId("stock-PINC-200").waitFor({ state: "detached" });
  await search.fill("MART-500");
  await page.getByTestId("stock-MART-500").getByText("Stock bas").waitFor();
  await harness.checkPage(page, "stock-low");

  await page.getByTestId("stock-MART-500").getByRole("link").click();
  await page.getByRole("heading", { name: "Stock de MART-500", level: 1 }).waitFor();
  await page.getByLabel(field("Quantité")).fill("40");
  await page.getByRole("combobox", { name: "Motif" }).click();
  await page.getByRole("option", { name: "Réception" }).click();
  await page.getByLabel(field("Commentaire")).fill("BL 2026-118");
  await page.getByRole("button", { name: "Enregistrer l'ajustement" }).click();
  await page.getByTestId("movement").filter({ hasText: "BL 2026-118" }).waitFor();
  assert.match(await page.getByTestId("movement").first().textContent(), /Ajustement \(Réception\)/);
  // 3 + 40 on hand, written with the unit agreed in number.
  await page.getByText(/^43\spièces$/).first().waitFor();
  assert.match(await page.getByTestId("movement").first().textContent(), /40\spièces/);
  await harness.checkPage(page, "stock-received");

  // The submitted order: no line editing for the warehouse, but "fulfilled".
  await menu(page, "Commandes");
  await page.getByRole("combobox", { name: "Statut" }).click();
  await page.getByRole("option", { name: "Validée" }).click();
  await page.getByTestId(`order-${order.number}`).getByRole("link").click();
  await page.getByRole("heading", { name: `Commande ${order.number}`, level: 1 }).waitFor();
  await page.getByTestId("order-status").getByText("Validée").waitFor();
  assert.equal(await page.getByRole("button", { name: "Ajouter", exact: true }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Valider la commande" }).count(), 0);
  await harness.checkPage(page, "order-to-fulfil");
  await page.getByRole("button", { name: "Marquer comme livrée" }).click();
  const dialog = page.getByRole("dialog", { name: `Livrer la commande ${order.number} ?` });
  await dialog.waitFor();
  assert.match(
    await dialog.getByTestId("confirm-text").textContent(),
    /^Le stock quittera l'entrepôt : sortie de 4\spièces \(1\sligne\) pour Brico Dépôt Lyon/,
  );
  await dialog.getByRole("row", { name: /PINC-200 Pince coupante 4\spièces/ }).waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === "Confirmer la livraison");
  await settled(page);
  await harness.checkPage(page, "order-fulfil-confirm");
  await dialog.getByRole("button", { name: "Confirmer la livraison" }).click();
  await page.getByTestId("order-status").getByText("Livrée").waitFor();
  await dialog.waitFor({ state: "detached" });
  await harness.checkPage(page, "order-fulfilled");

  // The pliers' stock: 4 reserved, then consumed by the delivery.
  await menu(page, "Stock");
  await page.getByLabel("Rechercher (nom ou référence)").fill("PINC-200");
  // Once the (debounced) search is in the address, a click on the row is not undone by it.
  await page.waitForURL("**/stock?q=PINC-200");
  await page.getByTestId("stock-PINC-200").getByRole("link").click();
  await page.getByTestId("movement").filter({ hasText: "Sortie (livraison)" }).waitFor();
  await page.getByTestId("movement").filter({ hasText: "Réservation" }).waitFor();
  await harness.checkPage(page, "stock-movements");
}
