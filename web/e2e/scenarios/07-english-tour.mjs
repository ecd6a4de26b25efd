// Every page in English: the admin switches language once and visits each screen (lists,
// forms, details, import, invoices with their payment and credit-note forms, receivables,
// dashboard, accounts, audit, password). No French is left in the
// app's own words (headings, labels, buttons, column heads, menu, placeholders, accessible
// names), money is English-formatted, and axe finds nothing serious.
import assert from "node:assert/strict";
import { login } from "../api.mjs";
import { api, signIn, stockedProducts, submittedOrder } from "../flows.mjs";

export const title = "English: every page in English, without a French word of the app's own";

// Accented letters, French spacing before : ; ! ?, and common French words; the data this
// scenario creates is English.
const FRENCH = /[éèêàâçùûôîœ]|\s[:;!?](\s|$)|\b(le|la|les|des|du|une|et|pour|avec|sans|aucun|produits?|clients?|commandes?|rechercher|enregistrer|annuler|statut|quantité|prix|compte|rôles?|tableau)\b/i;

async function frenchLeft(page) {
  return page.evaluate((source) => {
    const french = new RegExp(source, "i");
    const selectors = "h1, h2, h3, h4, label, button, th, legend, a, dt, p, [role=tab], [role=menuitem], .mantine-Badge-label";
    const found = [];
    const inFrench = (el) => el.closest('[lang="fr"]') && el.closest('[lang="fr"]') !== document.documentElement;
    for (const el of document.querySelectorAll(selectors)) {
      if (inFrench(el) || el.closest("td")) continue;
      // The language switch names French in French, in an element marked lang="fr".
      const own = el.cloneNode(true);
      for (const french of own.querySelectorAll('[lang="fr"]')) french.remove();
      const text = own.textContent?.trim();
      if (text && french.test(text)) found.push(`${el.tagName.toLowerCase()}: ${text}`);
    }
    for (const el of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
      if (inFrench(el)) continue;
      for (const attr of ["placeholder", "aria-label", "title"]) {
        const text = el.getAttribute(attr);
        if (text && french.test(text)) found.push(`${attr}: ${text}`);
      }
    }
    return found;
  }, FRENCH.source);
}

export async function run({ page, baseUrl, harness, admin }) {
  const ids = await stockedProducts(baseUrl, admin, [
    { sku: "EN-HAMMER", name: "Claw hammer", price: "1234.50", stock: "40", category: "Tools" },
  ]);
  const order = await submittedOrder(baseUrl, admin, { code: "EN-ACME", legal_name: "Acme Trading Ltd" }, [
    { product_id: ids["EN-HAMMER"], quantity: "2" },
  ]);
  // Another order, fulfilled and invoiced, with a payment and a credit note: every part of
  // the invoice page shows (the first one stays submitted, with its buttons).
  const invoiced = await submittedOrder(baseUrl, admin, { code: "EN-GLOBEX", legal_name: "Globex Supplies Ltd" }, [
    { product_id: ids["EN-HAMMER"], quantity: "2" },
  ]);
  const token = await login(baseUrl, admin.email, admin.password);
  await api(baseUrl, token, "POST", `/orders/${invoiced.id}/fulfil`);
  const invoice = await api(baseUrl, token, "POST", "/invoices", { order_id: invoiced.id });
  const today = new Date().toLocaleDateString("en-CA", { timeZone: "Europe/Paris" });
  await api(baseUrl, token, "POST", `/invoices/${invoice.id}/payments`, { paid_on: today, amount: "100.00", method: "cheque", reference: "CHQ 1" });
  await api(baseUrl, token, "POST", `/invoices/${invoice.id}/credit-notes`, { reason: "Damaged on delivery", lines: [{ line_no: 1, quantity: "1" }] });
  const users = await api(baseUrl, token, "GET", "/users?limit=1", undefined, { service: "read" });
  const userId = users.items[0].id;

  await signIn(page, admin);
  await page.getByText("English").click();
  await page.getByRole("heading", { name: "Products", level: 1 }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");

  const pages = [
    ["/products", "products"],
    ["/products/new", "product-new"],
    [`/products/${ids["EN-HAMMER"]}`, "product"],
    ["/products/import", "products-import"],
    ["/customers", "customers"],
    ["/customers/new", "customer-new"],
    [`/customers/${order.customerId}`, "customer"],
    ["/customers/import", "customers-import"],
    ["/stock", "stock"],
    [`/stock/${ids["EN-HAMMER"]}`, "stock-detail"],
    ["/orders", "orders"],
    ["/orders/new", "order-new"],
    [`/orders/${order.id}`, "order"],
    [`/orders/${invoiced.id}`, "order-invoiced"],
    ["/invoices", "invoices"],
    [`/invoices/${invoice.id}`, "invoice"],
    [`/invoices/${invoice.id}#payment`, "invoice-payment"],
    [`/invoices/${invoice.id}#credit-note`, "invoice-credit-note"],
    ["/receivables", "receivables"],
    ["/dashboard", "dashboard"],
    ["/admin/users", "users"],
    [`/admin/users/${userId}`, "user"],
    ["/admin/audit", "audit"],
    ["/password", "password"],
  ];
  const leaks = [];
  // The invoice's forms open from its buttons (`#payment`, `#credit-note` only name them here).
  const forms = { payment: "Record a payment", "credit-note": "Issue a credit note" };
  for (const [target, label] of pages) {
    const [path, form] = target.split("#");
    // A reload resumes the session from its cookie; the language is kept by the browser.
    const response = await page.goto(path);
    // Served under the production CSP (deploy/web/security-headers.conf).
    assert.match(response.headers()["content-security-policy"] ?? "", /script-src 'self';/);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    await page.locator('[aria-busy="true"], .mantine-Loader-root').first().waitFor({ state: "detached" }).catch(() => {});
    await page.waitForLoadState("networkidle");
    assert.equal(new URL(page.url()).pathname, path, `${path}: not signed out`);
    if (form) {
      await page.getByRole("button", { name: forms[form] }).click();
      await page.getByRole("heading", { level: 2, name: forms[form] }).waitFor();
    }
    for (const text of await frenchLeft(page)) leaks.push(`${path} ${text}`);
    await harness.checkPage(page, `en-${label}`);
  }
  assert.deepEqual(leaks, [], `French words on English pages:\n  ${leaks.join("\n  ")}`);

  await page.goto("/products");
  await page.getByLabel("Search (name or SKU)").fill("EN-HAMMER");
  await page.getByTestId("product-EN-HAMMER").waitFor();
  assert.match(await page.getByTestId("product-EN-HAMMER").getByTestId("price").innerText(), /^€1,234\.50$/);
  // Back to French for the scenarios that follow in this browser context (none share it).
  await page.getByText("Français").click();
}
