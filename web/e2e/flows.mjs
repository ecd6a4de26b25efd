// Set-up shared by the scenarios 10-19: accounts ready to use (created by the admin, first
// password already changed through the API), sign-in in the browser, a few API helpers.
import assert from "node:assert/strict";
import { createUser, field, login } from "./api.mjs";

export async function api(baseUrl, token, method, path, body, { service = "command", raw = false } = {}) {
  const response = await fetch(`${baseUrl}/api/${service}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (raw) return response;
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** An account of these roles whose owner has already chosen a password. */
export async function readyUser(baseUrl, admin, { email, display_name, roles }) {
  const first = `${email} first password 2026`;
  const password = `${email} own password 2026`;
  await createUser(baseUrl, admin, { email, display_name, roles, password: first });
  const token = await login(baseUrl, email, first);
  await api(baseUrl, token, "POST", "/auth/password", { current_password: first, new_password: password });
  return { email, password };
}

export async function signIn(page, { email, password }) {
  await page.goto("/login");
  await page.getByLabel(field("Adresse e-mail")).fill(email);
  await page.getByLabel(field("Mot de passe")).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((url) => !url.pathname.endsWith("/login"));
}

/** In-app navigation through the menu (a reload would sign out: tokens live in memory). */
export async function menu(page, name) {
  await page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name }).click();
  // The pointer leaves the menu: a hovered link's tint is not what the page looks like.
  await page.mouse.move(900, 700);
}

/** Waits for a download started by `action`; returns its bytes and suggested name. */
export async function download(page, action) {
  const [dl] = await Promise.all([page.waitForEvent("download"), action()]);
  const path = await dl.path();
  const { readFile } = await import("node:fs/promises");
  return { name: dl.suggestedFilename(), bytes: await readFile(path) };
}

/** Products with stock, through the API as the admin: [{sku, name, price, stock}] → ids by SKU. */
export async function stockedProducts(baseUrl, admin, products) {
  const token = await login(baseUrl, admin.email, admin.password);
  const ids = {};
  for (const p of products) {
    const { id } = await api(baseUrl, token, "POST", "/products", {
      sku: p.sku,
      name: p.name,
      price: p.price,
      vat_rate: p.vat_rate ?? "20",
      unit: "piece",
      category: p.category ?? "Quincaillerie",
      low_stock_threshold: p.threshold ?? "5",
    });
    ids[p.sku] = id;
    if (p.stock) await api(baseUrl, token, "POST", `/stock/${id}/adjustments`, { quantity: p.stock, reason: "receipt" });
  }
  return ids;
}

/** A customer and a submitted order of `lines` ([{product_id, quantity}]), as the admin. */
export async function submittedOrder(baseUrl, admin, customer, lines) {
  const token = await login(baseUrl, admin.email, admin.password);
  const { id: customerId } = await api(baseUrl, token, "POST", "/customers", customer);
  const order = await api(baseUrl, token, "POST", "/orders", { customer_id: customerId });
  for (const line of lines) await api(baseUrl, token, "POST", `/orders/${order.id}/lines`, line);
  const submitted = await api(baseUrl, token, "POST", `/orders/${order.id}/submit`);
  return { ...order, customerId, version: submitted.version };
}
