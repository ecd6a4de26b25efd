// The admin opens an account for Léa (sales). Léa signs in (after a wrong password), must
// change her password, creates a product (after a field error from the server), finds
// it in the list, changes its price, meets a colleague's concurrent change (412) and
// reloads, archives and reactivates it, switches to English, signs out.
import assert from "node:assert/strict";
import { createUser, field, patchProduct } from "../api.mjs";

export const title = "sales: first sign-in, forced password change, product create/edit/archive";

const LEA = { email: "lea@example.com", display_name: "Léa Martin", first: "Léa's first password 2026" };
const NEW_PASSWORD = "Léa's own password, chosen 2026";

export async function run({ page, baseUrl, harness, admin }) {
  await createUser(baseUrl, admin, {
    email: LEA.email,
    display_name: LEA.display_name,
    roles: ["sales"],
    password: LEA.first,
  });

  // Signed out: any page leads to the sign-in page.
  await page.goto("/products");
  await page.waitForURL("**/login");
  await page.getByRole("heading", { name: /Connexion/ }).waitFor();
  await harness.checkPage(page, "login");

  // A wrong password: the translated invalid_credentials message.
  await page.getByLabel(field("Adresse e-mail")).fill(LEA.email);
  await page.getByLabel(field("Mot de passe")).fill("not the password at all");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("alert").getByText("Adresse e-mail ou mot de passe incorrect.").waitFor();
  await harness.checkPage(page, "login-error");

  await page.getByLabel(field("Mot de passe")).fill(LEA.first);
  await page.getByRole("button", { name: "Se connecter" }).click();

  // An account the admin created must get a new password before anything else.
  await page.waitForURL("**/password");
  await page.getByText("Choisissez un nouveau mot de passe avant de continuer.").waitFor();
  await harness.checkPage(page, "password-forced");
  await page.getByLabel(field("Mot de passe actuel")).fill(LEA.first);
  await page.getByLabel(field("Nouveau mot de passe")).fill(NEW_PASSWORD);
  await page.getByLabel(field("Confirmer le nouveau mot de passe")).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();

  // Home: the products, with the menu the roles allow.
  await page.waitForURL("**/products");
  await page.getByRole("heading", { name: "Produits", level: 1 }).waitFor();
  const nav = page.getByRole("navigation", { name: "Navigation principale" });
  await nav.getByRole("link", { name: "Produits" }).waitFor();
  await page.getByText("Connecté : Léa Martin").waitFor();
  await page.getByText("0 produit(s)").waitFor();
  await harness.checkPage(page, "products-empty");

  // Create: a wrong barcode check digit comes back as a field error under the field.
  await page.getByRole("link", { name: "Nouveau produit" }).click();
  await page.getByRole("heading", { name: "Nouveau produit", level: 1 }).waitFor();
  await page.getByLabel(field("Référence (SKU)")).fill("VIS-440");
  await page.getByLabel(field("Nom")).fill("Vis à bois 4x40");
  await page.getByLabel(field("Prix unitaire HT (€)")).fill("12,50");
  await page.getByLabel(field("Catégorie")).fill("Quincaillerie");
  await page.getByRole("combobox", { name: field("Unité") }).click();
  await page.getByRole("option", { name: "boîte" }).click();
  const barcode = page.getByLabel(field("Code-barres (EAN)"));
  await barcode.fill("4006381333932");
  await page.getByRole("button", { name: "Créer le produit" }).click();
  await page.getByText("La clé de contrôle est fausse.").waitFor();
  assert.equal(await barcode.getAttribute("aria-invalid"), "true");
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-invalid") === "true");
  await harness.checkPage(page, "product-new-field-error");

  await barcode.fill("4006381333931");
  await page.getByRole("button", { name: "Créer le produit" }).click();

  // Read-your-writes: the list shown right after reads at the returned version.
  await page.waitForURL("**/products");
  const row = page.getByTestId("product-VIS-440");
  await row.waitFor();
  assert.match(await row.getByTestId("price").innerText(), /^12,50\s€$/);
  await page.getByText("1 produit(s)").waitFor();
  await harness.checkPage(page, "products-list");

  // Edit the price.
  await row.getByRole("link", { name: "Vis à bois 4x40" }).click();
  await page.getByRole("heading", { name: "Produit VIS-440" }).waitFor();
  const price = page.getByLabel(field("Prix unitaire HT (€)"));
  assert.equal(await price.inputValue(), "12,50");
  await harness.checkPage(page, "product-edit");
  await price.fill("11,90");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await page.waitForURL("**/products");
  await page.waitForFunction(() =>
    /^11,90\s€$/.test(
      document.querySelector('[data-testid="product-VIS-440"] [data-testid="price"]')?.textContent ?? "",
    ),
  );
  await harness.checkPage(page, "products-after-edit");

  // A colleague renames it while the form is open: saving answers 412; reload shows theirs.
  await page.getByTestId("product-VIS-440").getByRole("link").click();
  await page.getByRole("heading", { name: "Produit VIS-440" }).waitFor();
  const productId = new URL(page.url()).pathname.split("/").pop();
  await patchProduct(baseUrl, { email: LEA.email, password: NEW_PASSWORD }, productId, {
    name: "Vis à bois 4x40 inox",
  });
  await price.fill("10,00");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  const conflict = page.getByTestId("conflict");
  await conflict.getByText("Quelqu'un d'autre a modifié ce produit").waitFor();
  await harness.checkPage(page, "product-conflict");
  await conflict.getByRole("button", { name: "Recharger" }).click();
  await conflict.waitFor({ state: "detached" });
  assert.equal(await page.getByLabel(field("Nom")).inputValue(), "Vis à bois 4x40 inox");
  assert.equal(await price.inputValue(), "11,90");

  // Archive, then reactivate: each reads back at its version.
  await page.getByRole("button", { name: "Archiver" }).click();
  await page.getByText("Ce produit est archivé").waitFor();
  await harness.checkPage(page, "product-archived");
  await page.getByRole("button", { name: "Réactiver" }).click();
  await page.getByRole("button", { name: "Archiver" }).waitFor();

  // English: labels and formats follow.
  await nav.getByRole("link", { name: "Produits" }).click();
  await page.getByTestId("product-VIS-440").waitFor();
  await page.getByText("English").click();
  await page.getByRole("heading", { name: "Products", level: 1 }).waitFor();
  assert.match(await page.getByTestId("product-VIS-440").getByTestId("price").innerText(), /^€11\.90$/);
  await harness.checkPage(page, "products-en");

  // Sign out: back to the sign-in page, and the products are out of reach.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/login");
  await page.goto("/products");
  await page.waitForURL("**/login");
}
