// Théo (analyst), created by the admin, must change his password, then may read the
// products but not change them: no "new product" action, a read-only product page, and
// the creation page refused.
import assert from "node:assert/strict";
import { createProducts, createUser, field, login } from "../api.mjs";

export const title = "analyst: forced password change, products read-only";

const THEO = { email: "theo@example.com", first: "Théo's first password 2026" };
const NEW_PASSWORD = "Théo picked this one himself";

export async function run({ page, baseUrl, harness, admin }) {
  await createUser(baseUrl, admin, {
    email: THEO.email,
    display_name: "Théo Bernard",
    roles: ["analyst"],
    password: THEO.first,
  });
  await createProducts(baseUrl, admin, [
    { sku: "ANA-001", name: "Mètre ruban 5 m", price: "9.90", vat_rate: "20", unit: "piece", category: "Outillage" },
  ]);

  await page.goto("/login");
  await page.getByLabel(field("Adresse e-mail")).fill(THEO.email);
  await page.getByLabel(field("Mot de passe")).fill(THEO.first);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL("**/password");

  // Field errors from the server land on their fields: a password that is too short.
  await page.getByLabel(field("Mot de passe actuel")).fill(THEO.first);
  await page.getByLabel(field("Nouveau mot de passe")).fill("short");
  await page.getByLabel(field("Confirmer le nouveau mot de passe")).fill("short");
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await page.getByText("Au moins 12 caractères.").waitFor();
  await harness.checkPage(page, "password-too-short");

  await page.getByLabel(field("Nouveau mot de passe")).fill(NEW_PASSWORD);
  await page.getByLabel(field("Confirmer le nouveau mot de passe")).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await page.waitForURL("**/products");
  // The new password works, the first one no longer does.
  await login(baseUrl, THEO.email, NEW_PASSWORD);

  await page.getByTestId("product-ANA-001").waitFor();
  assert.equal(await page.getByRole("link", { name: "Nouveau produit" }).count(), 0);
  await harness.checkPage(page, "products-readonly");

  await page.getByTestId("product-ANA-001").getByRole("link").click();
  await page.getByText("Vous pouvez consulter ce produit, pas le modifier.").waitFor();
  assert.ok(await page.getByLabel(field("Nom")).isDisabled());
  assert.equal(await page.getByRole("button", { name: "Enregistrer" }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Archiver" }).count(), 0);
  await harness.checkPage(page, "product-readonly");

  // Typed in the address bar a reload would sign out (tokens live in memory): navigate in-app.
  await page.evaluate(() => {
    window.history.pushState({}, "", "/products/new");
    window.dispatchEvent(new PopStateEvent("popstate"));
  });
  await page.getByText("Vos rôles ne permettent pas d'ouvrir cette page.").waitFor();
  await harness.checkPage(page, "product-new-forbidden");
}
