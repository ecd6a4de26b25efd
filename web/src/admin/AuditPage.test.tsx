// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { AuditRow, UserRow } from "../api/types";
import { AuditPage } from "./AuditPage";
import { fakeNetwork, renderApp } from "../test/render";

const ADMIN = "01a23d4d-fd10-751a-8a69-506d5cbf7df5";
const BRUNO = "01a23d4f-c26e-70fb-80fd-94fe3a2e1969";
const PRODUCT = "01a23d50-0000-7000-8000-000000000001";

function account(id: string, email: string, display_name: string): UserRow {
  return {
    id,
    email,
    display_name,
    roles: ["admin"],
    status: "active",
    must_change_password: false,
    version: 1,
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    last_login_at: null,
  };
}

const rows: AuditRow[] = [
  {
    occurred_at: "2026-12-03T19:09:00Z",
    actor_id: ADMIN,
    actor_roles: "admin",
    correlation_id: "c-1",
    aggregate_type: "User",
    aggregate_id: BRUNO,
    sequence: 1,
    event_type: "UserCreated",
    event_version: "1",
    payload: {
      // The schema says "an object"; the payload is the event, tagged by its type.
      UserCreated: {
        user_id: BRUNO,
        email: "bruno@example.com",
        display_name: "Bruno",
        roles: ["warehouse"],
        password_hash: "<redacted>",
        must_change_password: true,
      },
    } as unknown as AuditRow["payload"],
    source_ip: "10.0.0.1",
    user_agent: "Firefox",
  },
  {
    occurred_at: "2026-12-03T19:10:00Z",
    actor_id: "system",
    actor_roles: null,
    correlation_id: "c-2",
    aggregate_type: "Product",
    aggregate_id: PRODUCT,
    sequence: 2,
    event_type: "ProductArchived",
    event_version: "1",
    payload: { ProductArchived: {} } as unknown as AuditRow["payload"],
    source_ip: null,
    user_agent: null,
  },
];

function trail() {
  return fakeNetwork({
    "GET /audit": (request) => {
      const type = new URL(request.url).searchParams.get("type");
      const items = type ? rows.filter((r) => r.event_type === type) : rows;
      return Response.json({ items, total: items.length, page: 1, limit: 25 });
    },
    "GET /users": () =>
      Response.json({ items: [account(ADMIN, "admin@example.com", "Admin")], total: 1, page: 1, limit: 200 }),
    [`GET /users/${BRUNO}`]: () => Response.json(account(BRUNO, "bruno@example.com", "Bruno Lefèvre")),
    [`GET /products/${PRODUCT}`]: () =>
      Response.json({ id: PRODUCT, sku: "VIS-440", name: "Vis à bois", version: 3 }),
  });
}

describe("audit page", () => {
  it("names the actor by account, the action in words, links the object, sums the payload up", async () => {
    const network = trail();
    renderApp(<AuditPage />, { network, path: "/admin/audit", route: "/admin/audit" });
    const created = await screen.findByTestId("audit-UserCreated");
    await within(created).findByText("admin@example.com");
    expect(within(created).getByRole("link", { name: "Admin" }).getAttribute("href")).toBe(`/admin/users/${ADMIN}`);
    expect(within(created).getByTestId("audit-action").textContent).toBe("Compte créé");
    const target = await within(created).findByRole("link", { name: "Bruno Lefèvre" });
    expect(target.getAttribute("href")).toBe(`/admin/users/${BRUNO}`);
    expect(created.textContent).toContain("E-mail : bruno@example.com");
    expect(created.textContent).toContain("Rôles : Entrepôt");
    expect(created.textContent).toContain("Administrateur");

    const archived = screen.getByTestId("audit-ProductArchived");
    expect(archived.textContent).toContain("Système (automatique)");
    expect(within(archived).getByTestId("audit-action").textContent).toBe("Produit archivé");
    const product = await within(archived).findByRole("link", { name: "VIS-440 · Vis à bois" });
    expect(product.getAttribute("href")).toBe(`/products/${PRODUCT}`);

    // The admin is named from the directory, Bruno read once.
    const reads = network.calls.map((r) => new URL(r.url).pathname);
    expect(reads.filter((p) => p === `/api/read/users/${ADMIN}`)).toHaveLength(0);
    expect(reads.filter((p) => p === `/api/read/users/${BRUNO}`)).toHaveLength(1);
  }, 20_000);

  it("filters by action, chosen by its name", async () => {
    const network = trail();
    renderApp(<AuditPage />, { network, path: "/admin/audit", route: "/admin/audit" });
    await screen.findByText("2 événement(s)");
    await userEvent.click(screen.getByRole("combobox", { name: "Action" }));
    await userEvent.click(await screen.findByRole("option", { name: "Produit archivé", hidden: true }));
    await screen.findByText("1 événement(s)");
    const last = new URL(network.calls.filter((r) => r.url.includes("/audit")).at(-1)!.url);
    expect(last.searchParams.get("type")).toBe("ProductArchived");
    expect(last.searchParams.get("page")).toBe("1");
    await waitFor(() => expect(screen.queryByTestId("audit-UserCreated")).toBeNull());
  }, 20_000);
});
