// A double click runs a command once: creating a draft, adding a line, confirming the
// submission. The second click lands before the button is disabled (same frame); the
// command client must not send the identical request twice. Back, after previews of the
// proforma, leaves the order (it once replayed the frames, then offered the form again).
import assert from "node:assert/strict";
import { field, login } from "../api.mjs";
import { api, readyUser, signIn, stockedProducts } from "../flows.mjs";

export const title = "sales: double clicks create one draft, add one line, submit once; Back after previews";

export async function run({ page, baseUrl, harness, admin }) {
  const ids = await stockedProducts(baseUrl, admin, [
    { sku: "DBL-001", name: "Serre-joint 300 mm", price: "15.00", stock: "20" },
  ]);
  const token = await login(baseUrl, admin.email, admin.password);
  const customer = await api(baseUrl, token, "POST", "/customers", { code: "DOUBLE", legal_name: "Double Clic SARL" });
  const nina = await readyUser(baseUrl, admin, { email: "nina@example.com", display_name: "Nina Roche", roles: ["sales"] });
  await signIn(page, nina);

  await page.goto(`/customers/${customer.id}`);
  await page.getByRole("button", { name: "Nouvelle commande" }).click();
  await page.getByRole("heading", { name: "Nouvelle commande", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Créer le brouillon" }).dblclick();
  await page.getByRole("heading", { name: /^Commande PRO-/, level: 1 }).waitFor();
  const orders = async () =>
    (await api(baseUrl, token, "GET", `/orders?customer=${customer.id}&limit=10`, undefined, { service: "read" })).items;
  // The read model is read at the version the page was shown at, so it holds the draft.
  assert.equal((await orders()).length, 1, "one draft for one double click");

  await page.getByRole("combobox", { name: field("Produit") }).fill("DBL-001");
  await page.getByRole("option", { name: /DBL-001/ }).click();
  await page.getByLabel(field("Quantité")).fill("2");
  await page.getByRole("button", { name: "Ajouter", exact: true }).dblclick();
  await page.getByTestId("line-DBL-001").waitFor();
  await page.getByTestId("total-net").getByText("30,00").waitFor();
  assert.equal(await page.getByTestId("line-DBL-001").count(), 1, "one line for one double click");

  await page.getByRole("button", { name: "Valider la commande" }).click();
  const dialog = page.getByRole("dialog", { name: /^Valider la commande PRO-/ });
  await dialog.getByRole("button", { name: "Valider et réserver le stock" }).dblclick();
  await page.getByText("Validée", { exact: true }).first().waitFor();
  // No "the order changed" banner after one's own submission.
  assert.equal(await page.getByText("La commande a changé depuis son affichage").count(), 0);
  await harness.checkPage(page, "order-submitted-after-double-clicks");

  // Two previews, then Back: the browser leaves the order for the page before the creation
  // form (neither an empty frame nor the form again).
  const proforma = page.getByTestId("proforma");
  await proforma.getByRole("button", { name: "Aperçu" }).click();
  await page.getByTestId("proforma-preview").waitFor();
  await proforma.getByText("English").click();
  await proforma.getByRole("button", { name: "Aperçu" }).click();
  await page.getByTestId("proforma-preview").waitFor();
  await page.goBack();
  await page.waitForURL(`**/customers/${customer.id}`);
  const [only] = await orders();
  const detail = await api(baseUrl, token, "GET", `/orders/${only.id}`, undefined, { service: "read" });
  assert.equal(detail.lines.length, 1);
  assert.equal(detail.status, "submitted");
}
