// Camille (sales) creates a customer (a wrong SIRET first: the server's field error under
// the field), exports the customers as CSV and imports the file back (dry-run report, then
// confirmed), opens a draft order for that customer, adds lines with a discount, reads the
// server's totals, sets the offer's terms (a valid-until day typed dd/mm/yyyy, a note),
// confirms the submission in a dialog that says what it reserves, meets a shortage on its
// line, fixes the quantity, submits, sees the terms read-only, previews the proforma and
// downloads it in French and English.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { field } from "../api.mjs";
import { login } from "../api.mjs";
import { api, download, menu, readyUser, signIn, stockedProducts } from "../flows.mjs";

export const title = "sales: customer, CSV export/import, draft order, terms, confirmed submit, shortage, proforma";

/** Dialogs and calendars have finished fading in: axe would otherwise read their colours mid-transition. */
async function settled(page) {
  await page.waitForFunction(
    () =>
      document.getAnimations().filter((a) => a.effect?.target?.closest?.(".mantine-Modal-root, .mantine-Popover-dropdown")).length === 0,
  );
}

/** A day `days` from today in Paris: [dd/mm/yyyy as typed, as French shows it]. */
function dayFromNow(days) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
  const [y, m, d] = today.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d + days, 12));
  const pad = (n) => String(n).padStart(2, "0");
  const typed = `${pad(day.getUTCDate())}/${pad(day.getUTCMonth() + 1)}/${day.getUTCFullYear()}`;
  const shown = new Intl.DateTimeFormat("fr-FR", { dateStyle: "medium", timeZone: "UTC" }).format(day);
  return [typed, shown];
}

export async function run({ page, baseUrl, harness, admin }) {
  await stockedProducts(baseUrl, admin, [
    { sku: "VIS-510", name: "Vis à bois 4x40", price: "12.50", stock: "50" },
    { sku: "CHEV-810", name: "Cheville 8 mm", price: "4.00", stock: "2", vat_rate: "10" },
  ]);
  const camille = await readyUser(baseUrl, admin, { email: "camille@example.com", display_name: "Camille Roux", roles: ["sales"] });
  await signIn(page, camille);
  const nav = page.getByRole("navigation", { name: "Navigation principale" });
  await nav.getByRole("link", { name: "Commandes" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "Tableau de bord" }).count(), 0, "no dashboard for sales");

  await menu(page, "Clients");
  await page.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
  await page.getByText(/client\(s\)$/).waitFor();
  await harness.checkPage(page, "customers");

  await page.getByRole("link", { name: "Nouveau client" }).click();
  await page.getByLabel(field("Code client")).fill("RENAULT");
  await page.getByLabel(field("Raison sociale")).fill("Renault SAS");
  await page.getByLabel(field("SIRET")).fill("73282932000075");
  await page.getByLabel(field("N° de TVA intracommunautaire")).fill("FR44732829320");
  await page.getByRole("combobox", { name: "Conditions de paiement" }).click();
  await page.getByRole("option", { name: "45 jours fin de mois" }).click();
  await page.getByLabel(field("Encours autorisé (€)")).fill("15 000");
  const billing = page.getByRole("group", { name: "Adresse de facturation" });
  await billing.getByLabel(field("Adresse")).fill("122 avenue du Général Leclerc");
  await billing.getByLabel(field("Code postal")).fill("92100");
  await billing.getByLabel(field("Ville")).fill("Boulogne-Billancourt");
  await page.getByRole("button", { name: "Créer le client" }).click();
  const siret = page.getByLabel(field("SIRET"));
  await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]') !== null);
  assert.equal(await siret.getAttribute("aria-invalid"), "true", "the SIRET is marked invalid");
  await harness.checkPage(page, "customer-siret-error");
  await siret.fill("73282932000074");
  await page.getByRole("button", { name: "Créer le client" }).click();
  await page.getByRole("heading", { name: "Client RENAULT", level: 1 }).waitFor();
  await harness.checkPage(page, "customer-created");

  // A colleague changes the customer meanwhile: saving on top of it is refused (412), the
  // page says so and reloads the current version.
  const customerId = new URL(page.url()).pathname.split("/").pop();
  const adminToken = await login(baseUrl, admin.email, admin.password);
  await api(baseUrl, adminToken, "PATCH", `/customers/${customerId}`, { phone: "+33 1 76 84 04 04" });
  await page.getByLabel(field("E-mail")).fill("achats@renault.example");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await page.getByTestId("conflict").waitFor();
  await harness.checkPage(page, "customer-conflict");
  await page.getByTestId("conflict").getByRole("button", { name: "Recharger" }).click();
  await page.getByTestId("version").getByText(/^Version 2,/).waitFor();
  assert.match(await page.getByLabel(field("Téléphone")).inputValue(), /76 ?84/);

  // CSV: export, then the same file back: a dry run reports it line by line, then confirmed.
  await menu(page, "Clients");
  await page.getByTestId("customer-RENAULT").waitFor();
  const csv = await download(page, () => page.getByRole("button", { name: "Exporter en CSV" }).click());
  const text = csv.bytes.toString("utf8");
  assert.match(csv.name, /^customers-.*\.csv$/);
  assert.ok(text.includes("RENAULT"), "the export lists the customer");
  const file = join(process.cwd(), "test-results", "10-customers.csv");
  // The same file with the name changed: the import updates that customer.
  await writeFile(file, text.replace("Renault SAS", "Renault S.A.S."));
  await page.getByRole("link", { name: "Importer un CSV" }).click();
  await page.getByRole("heading", { name: "Importer des clients (CSV)" }).waitFor();
  await page.locator('input[type="file"]').setInputFiles(file);
  await page.getByRole("button", { name: "Vérifier (essai à blanc)" }).click();
  const report = page.getByTestId("import-report");
  await report.getByText("RENAULT").waitFor();
  await page.getByText("Vérification réussie : confirmez pour importer.").waitFor();
  await report.getByText("Modifié").waitFor();
  await harness.checkPage(page, "customers-import-dry-run");
  await page.getByRole("button", { name: "Confirmer l'import" }).click();
  await page.getByText("Import effectué.").waitFor();
  await menu(page, "Clients");
  await page.getByTestId("customer-RENAULT").getByText("Renault S.A.S.").waitFor();

  // A draft order from the customer's page.
  await menu(page, "Clients");
  await page.getByTestId("customer-RENAULT").getByRole("link").click();
  await page.getByRole("button", { name: "Nouvelle commande" }).click();
  await page.getByRole("heading", { name: "Nouvelle commande", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Créer le brouillon" }).click();
  await page.getByRole("heading", { name: /^Commande PRO-/, level: 1 }).waitFor();
  const number = (await page.getByRole("heading", { level: 1 }).textContent()).replace("Commande ", "");

  const addLine = async (search, option, quantity, discount) => {
    await page.getByRole("combobox", { name: field("Produit") }).fill(search);
    await page.getByRole("option", { name: option }).click();
    await page.getByLabel(field("Quantité")).fill(quantity);
    await page.getByLabel(field("Remise (%)")).fill(discount);
    await page.getByRole("button", { name: "Ajouter", exact: true }).click();
  };
  await addLine("VIS-510", /VIS-510/, "3", "10");
  await page.getByTestId("line-VIS-510").waitFor();
  // 3 × 12,50 € − 10 % = 33,75 € HT; TVA 20 % = 6,75 €; 40,50 € TTC (as the server computes).
  await page.getByTestId("total-net").getByText("33,75").waitFor();
  assert.match(await page.getByTestId("total-gross").textContent(), /40,50/);
  await addLine("CHEV-810", /CHEV-810/, "5", "");
  await page.getByTestId("line-CHEV-810").waitFor();
  await page.getByTestId("total-net").getByText("53,75").waitFor();
  await harness.checkPage(page, "order-draft");

  // The offer's terms: valid for 30 days, with a note; typed as a French person writes a day.
  const [validTyped, validShown] = dayFromNow(30);
  const terms = page.getByTestId("terms");
  const validUntil = terms.getByLabel(field("Offre valable jusqu'au"));
  assert.equal(await validUntil.getAttribute("placeholder"), "jj/mm/aaaa");
  await validUntil.fill(validTyped);
  // The calendar opened beside it speaks French, weeks from Monday.
  await page.getByRole("button", { name: "Mois suivant" }).waitFor();
  await settled(page);
  await harness.checkPage(page, "order-terms-calendar");
  await validUntil.press("Escape");
  // Typed on two lines: the notes are one paragraph, the line break becomes a space.
  await terms.getByLabel(field("Remarques")).fill("Livraison franco de port à partir de 500 € HT.\nPaiement à 45 jours fin de mois.");
  const note = "Livraison franco de port à partir de 500 € HT. Paiement à 45 jours fin de mois.";
  const versionBefore = await page.getByTestId("version").textContent();
  await terms.getByRole("button", { name: "Enregistrer les conditions" }).click();
  await page.getByText("Conditions enregistrées.").waitFor();
  await page.waitForFunction((before) => document.querySelector('[data-testid="version"]')?.textContent !== before, versionBefore);
  assert.equal(await validUntil.inputValue(), validTyped, "the day stays as dd/mm/yyyy");
  await harness.checkPage(page, "order-terms");

  // Submit: a dialog says what will be reserved; only 2 cheville in stock, so the shortage
  // shows on its line once confirmed.
  await page.getByRole("button", { name: "Valider la commande" }).click();
  const dialog = page.getByRole("dialog", { name: `Valider la commande ${number} ?` });
  await dialog.waitFor();
  assert.match(await dialog.getByTestId("confirm-text").textContent(), /^Pour Renault S\.A\.S\., le stock de 2 lignes \(8\spièces\) sera réservé\./);
  const confirmSubmit = dialog.getByRole("button", { name: "Valider et réserver le stock" });
  await page.waitForFunction(() => document.activeElement?.textContent === "Valider et réserver le stock");
  await settled(page);
  await harness.checkPage(page, "order-submit-confirm");
  // Escape leaves the order as it was.
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  await page.getByTestId("order-status").getByText("Brouillon").waitFor();
  await page.getByRole("button", { name: "Valider la commande" }).click();
  await confirmSubmit.click();
  await page.getByTestId("shortage-CHEV-810").waitFor();
  await dialog.waitFor({ state: "detached" });
  assert.match(await page.getByTestId("shortage-CHEV-810").textContent(), /demandé : 5\spièces ; disponible alors : 2\spièces/);
  await harness.checkPage(page, "order-shortage");
  await page.getByLabel("Quantité de CHEV-810").fill("2");
  await page.getByRole("button", { name: "Enregistrer la ligne CHEV-810" }).click();
  await page.getByTestId("total-net").getByText("41,75").waitFor();
  await page.getByRole("button", { name: "Valider la commande" }).click();
  await dialog.getByText(/5\spièces/).waitFor();
  await confirmSubmit.click();
  await page.getByTestId("order-status").getByText("Validée").waitFor();
  // The terms are shown, no longer editable.
  await terms.getByTestId("terms-valid-until").getByText(validShown).waitFor();
  assert.equal(await terms.getByTestId("terms-notes").textContent(), note);
  assert.equal(await terms.getByRole("textbox").count(), 0);
  assert.match(await page.getByTestId("line-VIS-510").textContent(), /3\spièces/);

  // The proforma: previewed, then downloaded in French and in English.
  await page.getByRole("button", { name: "Aperçu" }).click();
  await page.getByTestId("proforma-preview").waitFor();
  await harness.checkPage(page, "order-proforma");
  const fr = await download(page, () => page.getByRole("button", { name: "Télécharger le PDF" }).click());
  assert.equal(fr.name, `${number}-fr.pdf`);
  assert.equal(fr.bytes.subarray(0, 5).toString(), "%PDF-");
  assert.ok(fr.bytes.length > 1000, `a real PDF (${fr.bytes.length} bytes)`);
  await page.getByTestId("proforma").getByText("English").click();
  const en = await download(page, () => page.getByRole("button", { name: "Télécharger le PDF" }).click());
  assert.equal(en.name, `${number}-en.pdf`);
  assert.equal(en.bytes.subarray(0, 5).toString(), "%PDF-");
  assert.notDeepEqual(en.bytes, fr.bytes);
  console.log(`    proforma ${number}: ${fr.bytes.length} bytes (fr), ${en.bytes.length} bytes (en)`);

  await menu(page, "Commandes");
  await page.getByTestId(`order-${number}`).getByText("Validée").waitFor();
  await harness.checkPage(page, "orders-list");
}
