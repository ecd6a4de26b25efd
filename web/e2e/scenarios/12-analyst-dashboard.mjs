// Inès (analyst) reads the dashboard after two orders were sold: the figures match what
// was sold, every amount says whether it is HT (excl. VAT) or TTC (incl. VAT), the period
// is typed dd/mm/yyyy, and each series downloads as CSV.
import assert from "node:assert/strict";
import { login } from "../api.mjs";
import { api, download, menu, readyUser, signIn, stockedProducts, submittedOrder } from "../flows.mjs";

const euros = (n) => new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(n);
const bare = (s) => s.replace(/\s/g, "");

export const title = "analyst: dashboard figures match the sales, CSV download";

export async function run({ page, baseUrl, harness, admin }) {
  // Other scenarios sell too: the figures before this one's orders.
  const token = await login(baseUrl, admin.email, admin.password);
  const before = (await api(baseUrl, token, "GET", "/dashboard/sales", undefined, { service: "read" })).totals;
  const ids = await stockedProducts(baseUrl, admin, [
    { sku: "PERC-18V", name: "Perceuse 18 V", price: "120.00", stock: "10" },
    { sku: "FORET-6", name: "Foret béton 6 mm", price: "3.50", stock: "2", threshold: "5" },
  ]);
  await submittedOrder(baseUrl, admin, { code: "DUPONT", legal_name: "Dupont Bâtiment" }, [
    { product_id: ids["PERC-18V"], quantity: "2" },
    { product_id: ids["FORET-6"], quantity: "2" },
  ]);
  await submittedOrder(baseUrl, admin, { code: "MARTIN", legal_name: "Martin Rénovation" }, [
    { product_id: ids["PERC-18V"], quantity: "1" },
  ]);
  const ines = await readyUser(baseUrl, admin, { email: "ines@example.com", display_name: "Inès Moreau", roles: ["analyst"] });
  await signIn(page, ines);
  await menu(page, "Tableau de bord");
  await page.getByRole("heading", { name: "Tableau de bord des ventes", level: 1 }).waitFor();
  // 2 × 120 + 2 × 3,50 = 247,00 and 120,00: 367,00 € HT (440,40 € TTC) over 2 more orders.
  const orders = String(before.orders + 2);
  await page.getByTestId("kpi-orders").getByText(orders, { exact: true }).waitFor();
  assert.equal(bare(await page.getByTestId("kpi-net").textContent()), bare(euros(Number(before.net) + 367)));
  assert.equal(bare(await page.getByTestId("kpi-gross").textContent()), bare(euros(Number(before.gross) + 440.4)));
  const top = page.getByTestId("dash-top-products");
  await top.getByText("PERC-18V — Perceuse 18 V").waitFor();
  // 3 drills sold, 360,00 € HT; the section says its amounts are HT.
  assert.match(await top.textContent(), /360,00\s€ HT · 3\spièces/);
  await top.getByText("Classés par chiffre d'affaires HT (hors taxes).").waitFor();
  await page.getByTestId("dash-top-customers").getByText("DUPONT — Dupont Bâtiment").waitFor();
  assert.match(await page.getByTestId("dash-top-customers").textContent(), /247,00\s€ HT · 1 commande/);
  await page.getByTestId("dash-orders-by-status").getByText("Nombre de commandes et montant HT (hors taxes) par statut.").waitFor();
  await page.getByTestId("dash-orders-by-status").getByText(/^\d+ commandes? · [\d\s,]+€ HT$/).first().waitFor();
  const sales = page.getByTestId("dash-sales");
  for (const column of ["Total HT", "TVA", "Total TTC"]) await sales.getByRole("columnheader", { name: column, exact: true }).waitFor();
  await page.getByTestId("amounts-note").getByText(/HT : hors taxes ; TTC : toutes taxes comprises/).waitFor();
  // The drill bits are out of stock now (2 of 2 reserved).
  await page.getByTestId("dash-stock-alerts").getByText("FORET-6").waitFor();
  await harness.checkPage(page, "dashboard");

  // The period typed as a French person writes it: the last 7 days still hold both orders.
  const from = page.getByLabel("Du", { exact: true });
  assert.equal(await from.getAttribute("placeholder"), "jj/mm/aaaa");
  assert.match(await from.inputValue(), /^\d{2}\/\d{2}\/\d{4}$/);
  const week = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris" }).format(new Date(Date.now() - 6 * 86_400_000));
  await from.fill(week);
  await from.press("Escape");
  await page.getByTestId("kpi-orders").getByText(orders, { exact: true }).waitFor();

  await page.getByText("Mois", { exact: true }).click();
  await page.getByTestId("kpi-orders").getByText(orders, { exact: true }).waitFor();
  const csv = await download(page, () =>
    page.getByRole("button", { name: "CSV : Ventes (commandes validées et livrées)" }).click(),
  );
  const text = csv.bytes.toString("utf8");
  assert.match(csv.name, /^sales-.*\.csv$/);
  assert.ok(text.split(/\r?\n/).length >= 2, `a header and rows: ${text.slice(0, 200)}`);
  console.log(`    sales CSV: ${text.split(/\r?\n/)[0]}`);
  await harness.checkPage(page, "dashboard-month");
}
