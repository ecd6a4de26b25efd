// Lucie (sales) filters the orders by a day typed as the French write it (dd/mm/yyyy, a
// French calendar beside the field, an unreadable day said so), cancels a submitted order
// through a dialog that says its reservation is released (Escape first leaves it as it
// was), sees the stock come back, then switches to English: the same field reads
// dd/mm/yyyy with an English calendar, and units agree in English.
import assert from "node:assert/strict";
import { menu, readyUser, signIn, stockedProducts, submittedOrder } from "../flows.mjs";

export const title = "sales: dates in the app's language, cancel an order after confirming";

/** Dialogs and calendars have finished fading in: axe would otherwise read their colours mid-transition. */
async function settled(page) {
  await page.waitForFunction(
    () =>
      document.getAnimations().filter((a) => a.effect?.target?.closest?.(".mantine-Modal-root, .mantine-Popover-dropdown")).length === 0,
  );
}

/** Today in Paris: [as typed dd/mm/yyyy, as the API writes it]. */
function today() {
  const iso = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
  const [y, m, d] = iso.split("-");
  return [`${d}/${m}/${y}`, iso];
}

const monthYear = (locale) =>
  new Intl.DateTimeFormat(locale, { timeZone: "Europe/Paris", month: "long", year: "numeric" }).format(new Date());

export async function run({ page, baseUrl, harness, admin }) {
  const ids = await stockedProducts(baseUrl, admin, [
    { sku: "ETAU-100", name: "Étau d'établi 100 mm", price: "45.00", stock: "10" },
  ]);
  const order = await submittedOrder(baseUrl, admin, { code: "LEROY", legal_name: "Leroy Outillage" }, [
    { product_id: ids["ETAU-100"], quantity: "3" },
  ]);
  const lucie = await readyUser(baseUrl, admin, { email: "lucie@example.com", display_name: "Lucie Girard", roles: ["sales"] });
  await signIn(page, lucie);

  // The orders of today, the day typed dd/mm/yyyy whatever the browser's locale.
  await menu(page, "Commandes");
  await page.getByRole("heading", { name: "Commandes", level: 1 }).waitFor();
  const [typed, iso] = today();
  const from = page.getByLabel("Créées depuis le", { exact: true });
  assert.equal(await from.getAttribute("placeholder"), "jj/mm/aaaa");
  await from.fill(typed);
  await page.getByRole("button", { name: "Mois suivant" }).waitFor();
  await page.getByRole("button", { name: monthYear("fr-FR"), exact: true }).waitFor();
  await settled(page);
  await harness.checkPage(page, "orders-from-calendar");
  await from.press("Escape");
  await page.waitForURL(`**/orders?from=${iso}`);
  await page.getByTestId(`order-${order.number}`).waitFor();

  // A day that does not exist is said so under the field, and filters nothing.
  const to = page.getByLabel("Créées avant le", { exact: true });
  await to.fill("31/02/2027");
  await to.press("Tab");
  await page.getByText("Date non reconnue : saisissez-la au format jj/mm/aaaa.").waitFor();
  assert.equal(await to.getAttribute("aria-invalid"), "true");
  assert.ok(!page.url().includes("to="), page.url());
  // The calendar the field opened has faded out: axe would otherwise read its colours mid-fade.
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-calendar="true"]')].every((el) => !el.checkVisibility({ opacityProperty: true })),
  );
  await harness.checkPage(page, "orders-date-unreadable");
  await to.fill("");
  await to.press("Tab");
  await page.getByText("Date non reconnue : saisissez-la au format jj/mm/aaaa.").waitFor({ state: "detached" });

  // Cancel: the dialog says what happens to the stock; its focus starts on "keep".
  await page.getByTestId(`order-${order.number}`).getByRole("link").click();
  await page.getByRole("heading", { name: `Commande ${order.number}`, level: 1 }).waitFor();
  const cancel = page.getByRole("button", { name: "Annuler la commande", exact: true });
  await cancel.click();
  const dialog = page.getByRole("dialog", { name: `Annuler la commande ${order.number} ?` });
  await dialog.waitFor();
  assert.match(await dialog.getByTestId("confirm-text").textContent(), /La réservation de stock est libérée : le stock réservé \(3\spièces\) redevient disponible\./);
  await page.waitForFunction(() => document.activeElement?.textContent === "Garder la commande");
  await settled(page);
  await harness.checkPage(page, "order-cancel-confirm");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  // Nothing happened, and the focus is back on the button that opened the dialog.
  await page.getByTestId("order-status").getByText("Validée").waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === "Annuler la commande");
  await cancel.click();
  await dialog.getByRole("button", { name: "Oui, annuler la commande" }).click();
  await page.getByTestId("order-status").getByText("Annulée").waitFor();
  await page.getByText("Commande annulée.").waitFor();

  // The vice's stock: released, all 10 available again.
  await menu(page, "Stock");
  await page.getByLabel("Rechercher (nom ou référence)").fill("ETAU-100");
  // The search is in the address once typed (debounced): then the list is this one's.
  await page.waitForURL("**/stock?q=ETAU-100");
  await page.getByTestId("stock-ETAU-100").getByTestId("available").getByText(/^10\spièces$/).waitFor();
  await page.getByTestId("stock-ETAU-100").getByRole("link").click();
  await page.getByTestId("movement").filter({ hasText: "Libération" }).waitFor();
  assert.match(await page.getByTestId("movement").filter({ hasText: "Libération" }).textContent(), /3\spièces/);
  await page.getByText(/^0\spièce$/).first().waitFor();
  await harness.checkPage(page, "stock-released");

  // In English: units agree the English way, the day is still typed dd/mm/yyyy.
  await page.getByText("English").click();
  await page.getByRole("heading", { name: "Stock of ETAU-100", level: 1 }).waitFor();
  await page.getByText(/^0\spieces$/).first().waitFor();
  await page.getByText(/^10\spieces$/).first().waitFor();
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Orders" }).click();
  await page.mouse.move(900, 700);
  const fromEn = page.getByLabel("Created from", { exact: true });
  assert.equal(await fromEn.getAttribute("placeholder"), "dd/mm/yyyy");
  await fromEn.fill(typed);
  await page.getByRole("button", { name: "Next month" }).waitFor();
  await page.getByRole("button", { name: monthYear("en-GB"), exact: true }).waitFor();
  await settled(page);
  await harness.checkPage(page, "orders-from-calendar-en");
  await fromEn.press("Escape");
  await page.waitForURL(`**/orders?from=${iso}`);
  await page.getByTestId(`order-${order.number}`).getByText("Cancelled").waitFor();
  await page.getByText("English").waitFor();
  await page.getByText("Français").click();
}
