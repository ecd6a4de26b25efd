// The first admin (no password change asked of the bootstrap account) signs in and
// creates a product while the projector is frozen: the list, read at the command's
// version, shows "still updating" and retries; once the projector runs again the product
// appears without any action from the admin.
import assert from "node:assert/strict";
import { field } from "../api.mjs";

export const title = "admin: read-your-writes while the projection lags (504 projection_lagging)";

export async function run({ page, harness, stack, admin }) {
  await page.goto("/login");
  await page.getByLabel(field("Adresse e-mail")).fill(admin.email);
  await page.getByLabel(field("Mot de passe")).fill(admin.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL("**/products");
  await page.getByRole("heading", { name: "Produits", level: 1 }).waitFor();
  await page.getByText("Connecté : Administrator").waitFor();

  await page.getByRole("link", { name: "Nouveau produit" }).click();
  await page.getByLabel(field("Référence (SKU)")).fill("CHE-100");
  await page.getByLabel(field("Nom")).fill("Cheville nylon 10 mm");
  await page.getByLabel(field("Prix unitaire HT (€)")).fill("1 234,5");
  await page.getByRole("combobox", { name: field("Taux de TVA (%)") }).click();
  await page.getByRole("option", { name: "5,5 %" }).click();
  await page.getByLabel(field("Catégorie")).fill("Fixations");
  await harness.checkPage(page, "product-new");

  stack.pause("projector");
  let resumed = false;
  try {
    await page.getByRole("button", { name: "Créer le produit" }).click();
    await page.waitForURL("**/products");
    const lagging = page.getByTestId("still-updating");
    await lagging.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId("product-CHE-100").count(), 0);
    await harness.checkPage(page, "products-still-updating");
    stack.resume("projector");
    resumed = true;
    const row = page.getByTestId("product-CHE-100");
    await row.waitFor({ timeout: 20_000 });
    await lagging.waitFor({ state: "detached" });
  } finally {
    if (!resumed) stack.resume("projector");
  }
  // French formats: thousands with a narrow space, decimal comma, 5,5 %.
  assert.match(
    await page.getByTestId("product-CHE-100").getByTestId("price").innerText(),
    /^1\s234,50\s€$/,
  );
  await page.getByTestId("product-CHE-100").getByText(/^5,5\s%$/).waitFor();
  await harness.checkPage(page, "products-caught-up");
}
