// The session outlives its access token: the app refreshes it before it expires (the
// stack issues 40-second tokens), keeps the access token in memory only and the refresh
// token in an HttpOnly cookie no script can read, and after sign-out the old refresh token
// is dead.
import assert from "node:assert/strict";
import { field } from "../api.mjs";

export const title = "session: refresh before expiry, refresh token in an HttpOnly cookie only, logout ends it";

export async function run({ page, baseUrl, admin }) {
  const refreshes = [];
  const authCalls = [];
  page.on("response", async (response) => {
    if (response.url().includes("/auth/")) authCalls.push(`${new URL(response.url()).pathname} ${response.status()}`);
    if (response.url().endsWith("/api/command/auth/refresh") && response.status() === 200) {
      refreshes.push(Date.now());
      assert.equal((await response.json()).refresh_token, undefined);
    }
  });

  await page.goto("/login");
  await page.getByLabel(field("Adresse e-mail")).fill(admin.email);
  await page.getByLabel(field("Mot de passe")).fill(admin.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL("**/products");

  // 40 s tokens are refreshed after 10 s; wait for two refreshes.
  const deadline = Date.now() + 30_000;
  while (refreshes.length < 2 && Date.now() < deadline) await page.waitForTimeout(500);
  assert.ok(refreshes.length >= 2, `refreshes seen: ${refreshes.length}`);

  // Still signed in, with a working token: the list reloads through the menu.
  await page.getByRole("link", { name: "Changer le mot de passe" }).click();
  await page.getByRole("navigation").getByRole("link", { name: "Produits" }).click();
  await page.getByRole("heading", { name: "Produits", level: 1 }).waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);

  // Nothing of the session in storage; of the cookies, scripts see only the CSRF value.
  const stored = await page.evaluate(() => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    cookie: document.cookie,
  }));
  assert.deepEqual(stored.session, []);
  assert.ok(stored.local.every((key) => key === "gescom.lang"), `localStorage: ${stored.local}`);
  assert.match(stored.cookie, /^__Host-gescom_csrf=[A-Za-z0-9_-]+$/);
  const refreshCookie = (await page.context().cookies()).find((c) => c.name === "__Secure-gescom_refresh");
  assert.ok(refreshCookie, "the refresh cookie is set");
  assert.equal(refreshCookie.httpOnly, true);
  assert.equal(refreshCookie.secure, true);
  assert.equal(refreshCookie.sameSite, "Strict");
  assert.equal(refreshCookie.path, "/api/command/auth");
  const lastRefreshToken = refreshCookie.value;

  // Sign out: the last refresh token no longer works.
  // The sign-in page shows at once; the logout call may still be on its way: wait for it.
  const [logout] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/auth/logout")),
    page.getByRole("button", { name: "Se déconnecter" }).click(),
  ]);
  assert.equal(logout.status(), 204);
  await page.waitForURL("**/login");
  const reuse = await fetch(`${baseUrl}/api/command/auth/refresh`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: lastRefreshToken }),
  });
  assert.equal(reuse.status, 401, `auth calls: ${authCalls.join(", ")}; reuse: ${await reuse.text()}`);
}
