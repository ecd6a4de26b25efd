// Two tabs of one browser share one refresh cookie. Reloading both at once makes both
// refresh at once; a refresh token presented twice reads as stolen and ends the session,
// so the tabs must take turns (Web Locks) and each use the cookie the other left.
import assert from "node:assert/strict";
import { field } from "../api.mjs";

export const title = "session: two tabs reloaded together both stay signed in";

export async function run({ page, admin }) {
  await page.goto("/login");
  await page.getByLabel(field("Adresse e-mail")).fill(admin.email);
  await page.getByLabel(field("Mot de passe")).fill(admin.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL("**/products");

  const other = await page.context().newPage();
  await other.goto("/customers");
  await other.getByRole("heading", { name: "Clients", level: 1 }).waitFor();

  const refreshes = [];
  for (const tab of [page, other]) {
    tab.on("response", (r) => {
      if (r.url().endsWith("/auth/refresh")) refreshes.push(r.status());
    });
  }
  for (let round = 1; round <= 3; round += 1) {
    await Promise.all([page.reload(), other.reload()]);
    await page.getByRole("heading", { name: "Produits", level: 1 }).waitFor();
    await other.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/products", `round ${round}: the first tab was signed out`);
    assert.equal(new URL(other.url()).pathname, "/customers", `round ${round}: the second tab was signed out`);
  }
  assert.ok(refreshes.length >= 6, `refreshes: ${refreshes.join(", ")}`);
  assert.ok(
    refreshes.every((status) => status === 200),
    `every refresh succeeds: ${refreshes.join(", ")}`,
  );
  await other.close();
}
