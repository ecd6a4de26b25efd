// Invoicing end to end. Set up through the API as the admin: stocked products (two VAT
// rates), a customer paying at 30 days, an order submitted and fulfilled. Chloé (sales)
// issues the invoice from the fulfilled order after a dialog that says what will be
// issued, finds it in the list, records a partial payment (an amount above the balance is
// refused first, with the balance); the admin then issues a credit note of one line (more
// than is left is refused first), and a payment that meets a colleague's (412: reload,
// the form kept); the receivables page and the dashboard show what the customer owes.
import assert from "node:assert/strict";
import { field, login } from "../api.mjs";
import { api, download, menu, readyUser, signIn, stockedProducts, submittedOrder } from "../flows.mjs";

export const title = "sales: invoice a fulfilled order, partial payment; admin: credit note of one line, receivables";

/** Dialogs and calendars have finished fading in: axe would otherwise read their colours mid-transition. */
async function settled(page) {
  await page.waitForFunction(
    () =>
      document.getAnimations().filter((a) => a.effect?.target?.closest?.(".mantine-Modal-root, .mantine-Popover-dropdown")).length === 0,
  );
}

/** "1 234,50 €" with whatever spaces Intl puts in. */
const euros = (text) => new RegExp(`^${text.replace(/ /g, "\\s").replace(/[.]/g, "\\.")}\\s€$`);
const flat = (text) => text.replace(/[\u00a0\u202f]/g, " ").trim();

export async function run({ page, baseUrl, harness, admin }) {
  const ids = await stockedProducts(baseUrl, admin, [
    { sku: "FAC-VIS", name: "Vis à bois 4x40 (boîte de 200)", price: "12.50", stock: "100" },
    { sku: "FAC-PERC", name: "Perceuse visseuse 18 V", price: "89.90", stock: "10" },
    { sku: "FAC-GUIDE", name: "Guide du bricolage", price: "20.00", vat_rate: "5.5", stock: "5", category: "Librairie" },
  ]);
  const order = await submittedOrder(
    baseUrl,
    admin,
    {
      code: "FACT-DUPONT",
      legal_name: "Dupont Rénovation SARL",
      siren: "732829320",
      vat_number: "FR44732829320",
      payment_terms: "net_30",
      billing_address: { line1: "8 quai Saint-Vincent", postal_code: "69001", city: "Lyon", country: "FR" },
    },
    [
      { product_id: ids["FAC-VIS"], quantity: "8" },
      { product_id: ids["FAC-PERC"], quantity: "2" },
      { product_id: ids["FAC-GUIDE"], quantity: "1" },
    ],
  );
  const adminToken = await login(baseUrl, admin.email, admin.password);
  await api(baseUrl, adminToken, "POST", `/orders/${order.id}/fulfil`);
  // HT 100.00 + 179.80 at 20 % and 20.00 at 5.5 %: VAT 55.96 + 1.10, TTC 356.86.
  const chloe = await readyUser(baseUrl, admin, { email: "chloe@example.com", display_name: "Chloé Bernard", roles: ["sales"] });
  await signIn(page, chloe);
  const nav = page.getByRole("navigation", { name: "Navigation principale" });
  await nav.getByRole("link", { name: "Factures" }).waitFor();
  await nav.getByRole("link", { name: "Créances" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "Tableau de bord" }).count(), 0);

  // The fulfilled order: not invoiced yet; the dialog says what will be issued.
  await menu(page, "Commandes");
  await page.getByLabel("Rechercher (numéro, client)").fill(order.number);
  await page.getByTestId(`order-${order.number}`).getByRole("link").click();
  await page.getByRole("heading", { name: `Commande ${order.number}`, level: 1 }).waitFor();
  const invoicing = page.getByTestId("invoicing");
  await invoicing.getByText("Cette commande livrée n'est pas encore facturée.").waitFor();
  await invoicing.getByRole("button", { name: "Émettre la facture" }).click();
  const issueDialog = page.getByRole("dialog", { name: `Émettre la facture de la commande ${order.number} ?` });
  await issueDialog.waitFor();
  assert.equal(
    flat(await issueDialog.getByTestId("confirm-text").textContent()),
    "Une facture FAC-… sera émise pour Dupont Rénovation SARL, datée d'aujourd'hui : 3 lignes, 299,80 € HT, 356,86 € TTC. Son échéance suit les conditions de paiement du client.",
  );
  await page.waitForFunction(() => document.activeElement?.textContent === "Émettre la facture" && document.activeElement.closest("[role=dialog]"));
  await settled(page);
  await harness.checkPage(page, "order-invoice-confirm");
  await issueDialog.getByRole("button", { name: "Émettre la facture" }).click();

  // The new invoice's page: number, status, parties, VAT per rate, due in 30 days.
  await page.waitForURL("**/invoices/*");
  const heading = page.getByRole("heading", { level: 1, name: /^Facture FAC-\d{4}-\d{6}$/ });
  await heading.waitFor();
  const number = (await heading.textContent()).replace("Facture ", "");
  const invoiceUrl = new URL(page.url()).pathname;
  await page.getByTestId("invoice-status").getByText("Émise").waitFor();
  assert.match(await page.getByTestId("total-gross").textContent(), euros("356,86"));
  assert.match(await page.getByTestId("balance").textContent(), euros("356,86"));
  await page.getByTestId("totals").getByText(/TVA 5,5\s% sur 20,00\s€/).waitFor();
  await page.getByTestId("totals").getByText(/TVA 20\s% sur 279,80\s€/).waitFor();
  await page.getByTestId("invoice-buyer").getByText("Dupont Rénovation SARL").waitFor();
  await page.getByTestId("invoice-buyer").getByText("FR44732829320").waitFor();
  await page.getByTestId("invoice-seller").getByText("Démo Négoce SAS").waitFor();
  await page.getByTestId("invoice-dates").getByText("30 jours net").waitFor();
  await page.getByText("Aucun règlement reçu.").waitFor();
  // Sales records payments but does not issue credit notes.
  assert.equal(await page.getByRole("button", { name: "Émettre un avoir" }).count(), 0);
  await harness.checkPage(page, "invoice-issued");
  // Its Factur-X PDF: a PDF/A-3 carrying factur-x.xml (its content is checked by read-api's
  // tests against the XSD and schematrons).
  const pdf = await download(page, () => page.getByRole("button", { name: "Télécharger le PDF (Factur-X)" }).click());
  assert.match(pdf.name, /^FAC-\d{4}-\d{6}-fr\.pdf$/);
  assert.equal(pdf.bytes.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.ok(pdf.bytes.includes(Buffer.from("factur-x.xml")), "the CII XML is attached");

  // In the list, found by its number, with its status and balance.
  await menu(page, "Factures");
  await page.getByRole("heading", { name: "Factures", level: 1 }).waitFor();
  await page.getByLabel("Rechercher (numéro, commande, client)").fill(number);
  await page.waitForURL(`**/invoices?q=${number}`);
  const row = page.getByTestId(`invoice-${number}`);
  await row.getByText("Émise").waitFor();
  assert.match(await row.getByTestId("balance").textContent(), euros("356,86"));
  assert.match(await row.textContent(), /FACT-DUPONT — Dupont Rénovation SARL/);
  await harness.checkPage(page, "invoices-list");
  // The status filter has "overdue"; this invoice, due in 30 days, is not.
  await page.getByRole("combobox", { name: "Statut" }).click();
  await page.getByRole("option", { name: "En retard" }).click();
  await page.waitForURL("**/invoices?*status=overdue*");
  await page.getByText("Aucune facture ne correspond.").waitFor();
  await page.getByRole("combobox", { name: "Statut" }).click();
  await page.getByRole("option", { name: "Émise" }).click();
  await row.getByRole("link", { name: number }).click();

  // A payment: more than the balance is refused with the balance, then 100 € by transfer.
  await page.getByRole("heading", { name: `Facture ${number}`, level: 1 }).waitFor();
  await page.getByRole("button", { name: "Enregistrer un règlement" }).click();
  const form = page.getByTestId("payment-form");
  await form.getByRole("heading", { name: "Enregistrer un règlement" }).waitFor();
  const amount = form.getByLabel(field("Montant reçu (€)"));
  assert.equal(await amount.inputValue(), "356,86");
  await amount.fill("400");
  await form.getByRole("button", { name: "Enregistrer le règlement" }).click();
  await form.getByText(/^C'est plus que le solde dû, 356,86\s€\.$/).waitFor();
  assert.equal(await amount.getAttribute("aria-invalid"), "true");
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-invalid") === "true");
  await harness.checkPage(page, "payment-over-balance");
  await amount.fill("100,00");
  await form.getByLabel(field("Référence (virement, chèque)")).fill("VIR 2041");
  await form.getByRole("button", { name: "Enregistrer le règlement" }).click();
  const payDialog = page.getByRole("dialog", { name: /^Enregistrer un règlement de 100,00\s€ \?$/ });
  await payDialog.waitFor();
  assert.match(flat(await payDialog.getByTestId("confirm-text").textContent()), new RegExp(`^Règlement de 100,00 € reçu le .+ \\(Virement, référence « VIR 2041 »\\) sur la facture ${number} de Dupont Rénovation SARL\\.$`));
  assert.equal(flat(await payDialog.getByTestId("confirm-balance").textContent()), "Le solde dû passera de 356,86 € à 256,86 €.");
  await settled(page);
  await harness.checkPage(page, "payment-confirm");
  await payDialog.getByRole("button", { name: "Confirmer le règlement" }).click();
  await payDialog.waitFor({ state: "detached" });
  await page.getByTestId("invoice-status").getByText("Partiellement payée").waitFor();
  assert.match(await page.getByTestId("balance").textContent(), euros("256,86"));
  await page.getByTestId("payment").filter({ hasText: "VIR 2041" }).getByText("Virement").waitFor();
  assert.equal(await page.getByTestId("payment-form").count(), 0);
  await harness.checkPage(page, "invoice-partly-paid");

  // The admin corrects it by a credit note of one drill.
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.waitForURL("**/login");
  await signIn(page, admin);
  await page.goto(invoiceUrl);
  await page.getByRole("heading", { name: `Facture ${number}`, level: 1 }).waitFor();
  await page.getByRole("button", { name: "Émettre un avoir" }).click();
  const credit = page.getByTestId("credit-note-form");
  await credit.getByRole("heading", { name: "Émettre un avoir" }).waitFor();
  await credit.getByRole("radio", { name: /^Toute la facture \(tout ce qui reste à créditer, 356,86\s€ TTC\)$/ }).waitFor();
  // Nothing chosen, no reason: both said.
  await credit.getByRole("button", { name: "Émettre l'avoir" }).click();
  await credit.getByText("Cochez au moins une ligne à créditer.").waitFor();
  await credit.getByText("Ce champ est obligatoire.").waitFor();
  // Three drills out of two: more than is left, said on the line.
  const drill = credit.getByTestId("credit-line-FAC-PERC");
  await drill.getByLabel("Quantité ou montant à créditer sur FAC-PERC").fill("3");
  assert.equal(await drill.getByLabel("Créditer la ligne FAC-PERC").isChecked(), true);
  await credit.getByLabel(field("Motif (imprimé sur l'avoir)")).fill("Retour d'une perceuse défectueuse");
  await credit.getByRole("button", { name: "Émettre l'avoir" }).click();
  await drill.getByText(/^C'est plus que ce qui reste à créditer sur cette ligne : 2\spièces\.$/).waitFor();
  await harness.checkPage(page, "credit-note-over-left");
  await drill.getByLabel("Quantité ou montant à créditer sur FAC-PERC").fill("1");
  await credit.getByRole("button", { name: "Émettre l'avoir" }).click();
  const creditDialog = page.getByRole("dialog", { name: `Émettre un avoir sur la facture ${number} ?` });
  await creditDialog.waitFor();
  await creditDialog.getByRole("row", { name: /FAC-PERC Perceuse visseuse 18 V 1\spièce/ }).waitFor();
  assert.equal(flat(await creditDialog.getByTestId("confirm-reason").textContent()), "Motif : « Retour d'une perceuse défectueuse ».");
  await settled(page);
  await harness.checkPage(page, "credit-note-confirm");
  await creditDialog.getByRole("button", { name: "Émettre l'avoir" }).click();
  await creditDialog.waitFor({ state: "detached" });
  // One drill back: 89.90 HT + 17.98 VAT = 107.88; 256.86 − 107.88 = 148.98.
  const note = page.locator('[data-testid^="credit-note-AV-"]');
  await note.waitFor();
  assert.equal(flat(await note.getByTestId("credit-note-totals").textContent()), "Total HT 89,90 € · TVA 20 % 17,98 € · Total TTC 107,88 €");
  await note.getByText("Retour d'une perceuse défectueuse").waitFor();
  assert.match(await page.getByTestId("balance").textContent(), euros("148,98"));
  assert.match(await page.getByTestId("total-credited").textContent(), /^-107,88\s€$/);
  assert.match(flat(await page.getByTestId("line-FAC-PERC").getByTestId("credited").textContent()), /^1 pièce · 89,90 € HT$/);
  await page.getByTestId("invoice-status").getByText("Partiellement payée").waitFor();
  await harness.checkPage(page, "invoice-credited");

  // A payment typed while a colleague records another: 412, reloaded, the form kept.
  await page.getByRole("button", { name: "Enregistrer un règlement" }).click();
  const pay = page.getByTestId("payment-form");
  await pay.getByLabel(field("Montant reçu (€)")).fill("50");
  await pay.getByRole("combobox", { name: "Mode de règlement" }).click();
  await page.getByRole("option", { name: "Chèque" }).click();
  const chloeToken = await login(baseUrl, chloe.email, chloe.password);
  const invoiceId = invoiceUrl.split("/").pop();
  await api(baseUrl, chloeToken, "POST", `/invoices/${invoiceId}/payments`, {
    paid_on: new Date().toLocaleDateString("en-CA", { timeZone: "Europe/Paris" }),
    amount: "10.00",
    method: "cash",
  });
  await pay.getByRole("button", { name: "Enregistrer le règlement" }).click();
  const chequeDialog = page.getByRole("dialog", { name: /^Enregistrer un règlement de 50,00\s€ \?$/ });
  await chequeDialog.getByRole("button", { name: "Confirmer le règlement" }).click();
  await pay.getByTestId("conflict").getByText(/La facture a changé depuis son affichage/).waitFor();
  await settled(page);
  await harness.checkPage(page, "payment-conflict");
  await pay.getByTestId("conflict").getByRole("button", { name: "Recharger" }).click();
  await page.getByTestId("payment").filter({ hasText: "Espèces" }).waitFor();
  assert.match(await page.getByTestId("balance").textContent(), euros("138,98"));
  assert.equal(await pay.getByLabel(field("Montant reçu (€)")).inputValue(), "50");
  await pay.getByRole("button", { name: "Enregistrer le règlement" }).click();
  await chequeDialog.getByTestId("confirm-balance").getByText(/^Le solde dû passera de 138,98\s€ à 88,98\s€\.$/).waitFor();
  await chequeDialog.getByRole("button", { name: "Confirmer le règlement" }).click();
  await page.getByTestId("payment").filter({ hasText: "Chèque" }).waitFor();
  assert.match(await page.getByTestId("balance").textContent(), euros("88,98"));

  // Receivables: the customer owes 88.98, not yet due (30 days net).
  await menu(page, "Créances");
  await page.getByRole("heading", { name: "Créances clients", level: 1 }).waitFor();
  const owed = page.getByTestId("receivable-FACT-DUPONT");
  await owed.waitFor();
  assert.match(await owed.getByTestId("total").textContent(), euros("88,98"));
  assert.match(await owed.getByTestId("current").textContent(), euros("88,98"));
  assert.match(await owed.getByTestId("days_1_30").textContent(), euros("0,00"));
  await page.getByTestId("receivables-totals").waitFor();
  await harness.checkPage(page, "receivables");
  // Its link lists the customer's invoices.
  await owed.getByRole("link").click();
  await page.getByTestId(`invoice-${number}`).waitFor();

  // The dashboard's receivables card (admin, analyst).
  await menu(page, "Tableau de bord");
  const card = page.getByTestId("dash-receivables");
  await card.getByRole("heading", { name: "Créances clients" }).waitFor();
  await card.getByTestId("kpi-receivables").waitFor();
  assert.match(await card.getByTestId("kpi-dso").textContent(), /jours$|Aucune vente facturée/);
  await harness.checkPage(page, "dashboard-receivables");
}
