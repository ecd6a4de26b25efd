// The cookie mode: a reload keeps the person signed in (the HttpOnly refresh cookie and
// its CSRF token resume the session); after sign-out a reload stays signed out, and no
// cookie of the session is left.
import assert from "node:assert/strict";
import { field } from "../api.mjs";

export const title = "session: a reload keeps the person signed in; after sign-out it does not";

async function sessionCookies(page) {
  return (await page.context().cookies()).filter((c) => c.name.includes("gescom_")).map((c) => c.name).sort();
}

export async function run({ page, admin }) {
  const authCalls = [];
  page.on("response", async (response) => {
    if (response.url().includes("/auth/")) {
      authCalls.push(`${new URL(response.url()).pathname} ${response.status()} ${JSON.stringify(await response.headersArray().then((h) => h.filter((x) => x.name.toLowerCase() === "set-cookie")).catch(() => []))}`);
    }
  });
  await page.goto("/login");
  await page.getByLabel(field("Adresse e-mail")).fill(admin.email);
  await page.getByLabel(field("Mot de passe")).fill(admin.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL("**/products");
  assert.deepEqual(await sessionCookies(page), ["__Host-gescom_csrf", "__Secure-gescom_refresh"]);

  // Reload: still signed in, on the same page, the menu there.
  await page.reload();
  await page.getByRole("heading", { name: "Produits", level: 1 }).waitFor();
  assert.ok(page.url().endsWith("/products"), page.url());
  await page.getByRole("button", { name: "Se déconnecter" }).waitFor();

  // Only the CSRF value is readable by scripts; nothing in storage.
  const stored = await page.evaluate(() => ({
    local: Object.keys(localStorage).filter((k) => k !== "gescom.lang"),
    session: Object.keys(sessionStorage),
    cookie: document.cookie,
  }));
  assert.deepEqual(stored.local, []);
  assert.deepEqual(stored.session, []);
  assert.match(stored.cookie, /^__Host-gescom_csrf=[A-Za-z0-9_-]+$/);

  // Sign out: the cookies are gone, and a reload shows the sign-in page.
  const [logout] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/auth/logout")),
    page.getByRole("button", { name: "Se déconnecter" }).click(),
  ]);
  assert.equal(logout.status(), 204);
  await page.waitForURL("**/login");
  assert.deepEqual(await sessionCookies(page), [], authCalls.join("\n"));
  await page.goto("/products");
  await page.waitForURL("**/login");
  await page.getByRole("heading", { name: /Connexion/ }).waitFor();
}
