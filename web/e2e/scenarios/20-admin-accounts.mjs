// The admin opens an account for Bruno (warehouse) from the accounts page (a weak password
// first: the server's field error under the field), sees it in the list at once
// (read-your-writes), meets a colleague's concurrent change on the account's page (412,
// reload), finds its creation in the audit trail (actor and object named, the
// action in words, in French and English) and exports it as CSV. Bruno
// signs in and must change the password before anything else.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { field, login } from "../api.mjs";
import { api } from "../flows.mjs";

export const title = "admin: creates an account, who must change the password at first sign-in; audit trail";

const BRUNO = { email: "bruno@example.com", name: "Bruno Lefèvre", first: "Bruno's first password 2026" };
const NEW_PASSWORD = "Bruno's own password, chosen 2026";

async function signIn(page, email, password) {
  await page.goto("/login");
  await page.getByLabel(field("Adresse e-mail")).fill(email);
  await page.getByLabel(field("Mot de passe")).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

export async function run({ page, baseUrl, harness, admin }) {
  await signIn(page, admin.email, admin.password);
  await page.waitForURL("**/products");
  const nav = page.getByRole("navigation", { name: "Navigation principale" });
  await nav.getByRole("link", { name: "Comptes" }).click();
  await page.getByRole("heading", { name: "Comptes", level: 1 }).waitFor();
  // The pointer leaves the menu (a hovered entry is not what the page looks like) for a
  // blank spot: over a notification it would hold it on screen.
  await page.mouse.move(640, 62);
  await page.getByTestId(`user-${admin.email}`).waitFor();
  await harness.checkPage(page, "admin-users");

  // The dialog: a password the policy refuses comes back under its field.
  await page.getByRole("button", { name: "Nouveau compte" }).click();
  const dialog = page.getByRole("dialog", { name: "Nouveau compte" });
  await dialog.waitFor();
  await dialog.getByLabel(field("Adresse e-mail")).fill(BRUNO.email);
  await dialog.getByLabel(field("Nom affiché")).fill(BRUNO.name);
  await dialog.getByRole("checkbox", { name: "Entrepôt" }).check();
  const password = dialog.getByLabel(field("Mot de passe initial"));
  await password.fill("azerty");
  await dialog.getByRole("button", { name: "Créer le compte" }).click();
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-invalid") === "true");
  assert.equal(await password.getAttribute("aria-invalid"), "true");
  await harness.checkPage(page, "admin-user-new-field-error");
  await password.fill(BRUNO.first);
  await dialog.getByRole("button", { name: "Créer le compte" }).click();
  await dialog.waitFor({ state: "hidden" });

  // In the list right away, flagged as having to change the password.
  const row = page.getByTestId(`user-${BRUNO.email}`);
  await row.waitFor();
  await row.getByText("doit changer son mot de passe").waitFor();
  assert.match(await row.innerText(), /Entrepôt/);

  // The account's page.
  await row.getByRole("link", { name: BRUNO.name }).click();
  await page.getByRole("heading", { name: BRUNO.name, level: 1 }).waitFor();
  await harness.checkPage(page, "admin-user");

  // Roles, then disable and enable: each command at the version the previous one returned.
  await page.getByRole("checkbox", { name: "Analyste" }).check();
  await page.getByRole("button", { name: "Enregistrer les rôles" }).click();
  await page.getByText("Rôles enregistrés.").waitFor();
  await page.getByRole("button", { name: "Désactiver le compte" }).click();
  await page.getByRole("button", { name: "Réactiver le compte" }).waitFor();
  await page.getByText("Désactivé", { exact: true }).waitFor();
  await harness.checkPage(page, "admin-user-disabled");
  await page.getByRole("button", { name: "Réactiver le compte" }).click();
  await page.getByRole("button", { name: "Désactiver le compte" }).waitFor();
  // No error banner (the confirmations in the corner are alerts too).
  assert.equal(await page.locator(".mantine-Alert-root").count(), 0);

  // A colleague adds the sales role meanwhile (through the API): disabling at the version
  // shown answers 412; the banner's reload shows their change, and a save works again.
  const brunoId = new URL(page.url()).pathname.split("/").pop();
  const token = await login(baseUrl, admin.email, admin.password);
  await api(baseUrl, token, "PUT", `/users/${brunoId}/roles`, { roles: ["warehouse", "analyst", "sales"] });
  await page.getByRole("button", { name: "Désactiver le compte" }).click();
  const conflict = page.getByTestId("conflict");
  await conflict.getByText("Quelqu'un d'autre a modifié ce compte").waitFor();
  await harness.checkPage(page, "admin-user-conflict");
  await conflict.getByRole("button", { name: "Recharger" }).click();
  await conflict.waitFor({ state: "detached" });
  // The colleague's role shows once the account is read again.
  await page.waitForFunction(() => document.querySelector('input[type="checkbox"][value="sales"]')?.checked);
  const sales = page.getByRole("checkbox", { name: "Ventes" });
  const version = await page.getByTestId("version").innerText();
  await sales.uncheck();
  await page.getByRole("button", { name: "Enregistrer les rôles" }).click();
  await page.waitForFunction(
    (before) => document.querySelector('[data-testid="version"]')?.textContent !== before,
    version,
  );
  assert.equal(await page.getByRole("button", { name: "Désactiver le compte" }).count(), 1);
  assert.equal(await page.locator(".mantine-Alert-root").count(), 0);
  await page.getByRole("link", { name: "Retour aux comptes" }).click();
  await page.getByTestId(`user-${BRUNO.email}`).getByText("Entrepôt, Analyste").waitFor();

  // The audit trail, filtered by action: Bruno's creation, in words. The actor is named
  // by the admin's account (name and email), the object links to Bruno's account page,
  // the details are "field: value" lines (no raw JSON, no password hash in sight).
  await nav.getByRole("link", { name: "Journal d'audit" }).click();
  await page.getByRole("heading", { name: "Journal d'audit", level: 1 }).waitFor();
  await page.mouse.move(640, 62);
  const action = page.getByRole("combobox", { name: "Action", exact: true });
  await action.click();
  await action.fill("Compte cr");
  await page.getByRole("option", { name: "Compte créé", exact: true }).click();
  const created = page.getByTestId("audit-UserCreated").filter({ hasText: BRUNO.email });
  await created.waitFor();
  await created.getByText(admin.email).waitFor();
  assert.equal(await created.getByTestId("audit-action").innerText(), "Compte créé");
  const target = created.getByRole("link", { name: BRUNO.name });
  assert.match(await target.getAttribute("href"), /^\/admin\/users\/[0-9a-f-]{36}$/);
  const text = await created.innerText();
  assert.match(text, /E-mail : bruno@example\.com/);
  assert.match(text, /Rôles : Entrepôt/);
  assert.doesNotMatch(text, /UserCreated|password_hash|redacted|\{"/);
  // The rows shown become the filter's: every one an account creation (Bruno's row may
  // show before the filtered page replaces the unfiltered one).
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="audit-action"]')].every((e) => e.textContent === "Compte créé"),
  );
  // The confirmations of the account page have gone by now: the screenshot shows the trail.
  await page.waitForFunction(() => document.querySelectorAll(".mantine-Notification-root").length === 0);
  await harness.checkPage(page, "admin-audit");
  // The full event is one click away.
  await created.getByText("Détail complet").click();
  await created.getByText(/"UserCreated"/).waitFor();
  // In English, the same row speaks English.
  await page.getByText("English").click();
  await page.getByRole("heading", { name: "Audit trail", level: 1 }).waitFor();
  assert.equal(await created.getByTestId("audit-action").innerText(), "Account created");
  await created.getByText(/Roles: Warehouse/).waitFor();
  await harness.checkPage(page, "admin-audit-en");
  await page.getByText("Français").click();
  await page.getByRole("heading", { name: "Journal d'audit", level: 1 }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Exporter en CSV" }).click(),
  ]);
  const csv = await readFile(await download.path(), "utf8");
  assert.match(csv, /UserCreated/);
  assert.match(csv, /bruno@example\.com/);
  assert.doesNotMatch(csv, /argon2/);
  // Without filters: everything the other scenarios did, each row in words.
  await page.getByRole("button", { name: "Effacer les filtres" }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-action"]').length > 7);
  for (const label of await page.getByTestId("audit-action").allInnerTexts()) assert.doesNotMatch(label, /^[A-Z][a-z]+[A-Z]/);
  await harness.checkPage(page, "admin-audit-all");

  // Bruno's first sign-in: the password must change first.
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.waitForURL("**/login");
  await signIn(page, BRUNO.email, BRUNO.first);
  await page.waitForURL("**/password");
  await page.getByText("Choisissez un nouveau mot de passe avant de continuer.").waitFor();
  await page.getByLabel(field("Mot de passe actuel")).fill(BRUNO.first);
  await page.getByLabel(field("Nouveau mot de passe")).fill(NEW_PASSWORD);
  await page.getByLabel(field("Confirmer le nouveau mot de passe")).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await page.waitForURL((url) => !url.pathname.endsWith("/password"));
  // A warehouse account has no admin menu.
  await page.getByRole("button", { name: "Se déconnecter" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "Comptes" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "Journal d'audit" }).count(), 0);
}
