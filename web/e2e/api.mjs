// Set-up steps the scenarios do through the API (through the app's same-origin proxy),
// as another person would: the admin creating an account, a colleague changing a product.
import assert from "node:assert/strict";

export async function login(baseUrl, email, password) {
  const response = await fetch(`${baseUrl}/api/command/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(response.status, 200, `login of ${email}`);
  return (await response.json()).access_token;
}

async function command(baseUrl, token, method, path, body) {
  const response = await fetch(`${baseUrl}/api/command${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** The admin creates an account; its owner must change the password at first sign-in. */
export async function createUser(baseUrl, admin, user) {
  const token = await login(baseUrl, admin.email, admin.password);
  return command(baseUrl, token, "POST", "/users", user);
}

/** Creates products through the API; returns the last command's answer. */
export async function createProducts(baseUrl, credentials, products) {
  const token = await login(baseUrl, credentials.email, credentials.password);
  let last = null;
  for (const product of products) last = await command(baseUrl, token, "POST", "/products", product);
  return last;
}

export async function patchProduct(baseUrl, credentials, id, body) {
  const token = await login(baseUrl, credentials.email, credentials.password);
  return command(baseUrl, token, "PATCH", `/products/${id}`, body);
}

/** A field's label, with or without the required mark Mantine adds (" *"). */
export function field(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( \\*)?$`);
}
