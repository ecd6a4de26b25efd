// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createServices } from "../services";
import { fakeNetwork, problem, renderApp } from "../test/render";
import { signedInAs } from "../test/signedIn";
import { OrderPage } from "./OrderPage";
import type { OrderDetail } from "./api";

const ID = "0193a1b2-0000-7000-8000-0000000000aa";
const line = (line_no: number, sku: string, product_id: string, quantity: string, net: string) => ({
  line_no,
  product_id,
  sku,
  label: sku,
  unit: "piece" as const,
  quantity,
  unit_price: "4.00",
  discount: "0",
  vat_rate: "20",
  net,
});
const order: OrderDetail = {
  id: ID,
  number: "PRO-2026-000007",
  status: "draft",
  customer_id: "c1",
  customer_code: "ACME",
  customer_name: "Acme",
  line_count: 2,
  total_net: "28.00",
  total_vat: "5.60",
  total_gross: "33.60",
  vat_lines: [{ rate: "20", base: "28.00", amount: "5.60" }],
  version: 4,
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
  lines: [line(1, "VIS-1", "p1", "2", "8.00"), line(2, "CHEV-2", "p2", "5", "20.00")],
};

describe("order editor", () => {
  it("shows the server's totals, submits at the version shown and puts shortages on their lines", async () => {
    const network = fakeNetwork({
      ...signedInAs(["sales"], ["catalogue:read", "catalogue:write", "orders:write"]),
      [`GET /orders/${ID}`]: () => Response.json(order),
      "GET /customers": () => Response.json({ items: [], total: 0, page: 1, limit: 20 }),
      "GET /customers/c1": () => Response.json({ id: "c1", code: "ACME", legal_name: "Acme" }),
      "GET /products": () => Response.json({ items: [], total: 0, page: 1, limit: 20 }),
      [`POST /orders/${ID}/submit`]: () =>
        problem(422, "insufficient_stock", {
          shortages: [{ product_id: "p2", sku: "CHEV-2", requested: "5", available: "2" }],
        }),
    });
    const services = createServices({ commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" }, () => "fr", network);
    await services.session.login("u@example.com", "pw");
    renderApp(<OrderPage />, { network, services, path: `/orders/${ID}`, route: "/orders/:id" });
    await screen.findByRole("heading", { name: "Commande PRO-2026-000007" });
    expect(screen.getByTestId("total-gross").textContent).toMatch(/33,60/);

    await userEvent.click(await screen.findByRole("button", { name: "Valider la commande" }));
    // Nothing is sent before the person confirms, in a dialog that says what will happen.
    const dialog = await screen.findByRole("dialog", { name: "Valider la commande PRO-2026-000007 ?" });
    expect(network.calls.some((c) => c.url.endsWith("/submit"))).toBe(false);
    expect(within(dialog).getByTestId("confirm-text").textContent?.replace(/\u00a0/g, " ")).toBe(
      "Pour Acme, le stock de 2 lignes (7 pièces) sera réservé. La commande ne pourra plus être modifiée ; seule son annulation libérera la réservation.",
    );
    const confirm = within(dialog).getByRole("button", { name: "Valider et réserver le stock" });
    await waitFor(() => expect(document.activeElement).toBe(confirm));
    await userEvent.click(confirm);
    const shortage = await screen.findByTestId("shortage-CHEV-2");
    expect(shortage.textContent?.replace(/\u00a0/g, " ")).toBe("Stock insuffisant à la dernière tentative de validation — demandé : 5 pièces ; disponible alors : 2 pièces. Revalidez après réception.");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.queryByTestId("shortage-VIS-1")).toBeNull();
    expect(within(screen.getByTestId("line-CHEV-2")).getByLabelText("Quantité de CHEV-2").getAttribute("aria-invalid")).toBe("true");
    const submit = network.calls.find((c) => c.url.endsWith(`/orders/${ID}/submit`));
    expect(submit?.headers.get("if-match")).toBe('"4"');
  });
});

function setUp(detail: OrderDetail, extra: Record<string, (r: Request) => Response | Promise<Response>> = {}) {
  const network = fakeNetwork({
    ...signedInAs(["sales"], ["catalogue:read", "catalogue:write", "orders:write"]),
    [`GET /orders/${ID}`]: () => Response.json(detail),
    "GET /customers": () => Response.json({ items: [], total: 0, page: 1, limit: 20 }),
    "GET /customers/c1": () => Response.json({ id: "c1", code: "ACME", legal_name: "Acme" }),
    "GET /products": () => Response.json({ items: [], total: 0, page: 1, limit: 20 }),
    ...extra,
  });
  const services = createServices({ commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" }, () => "fr", network);
  return { network, services };
}

describe("order confirmations", () => {
  it("start a cancellation on the button that keeps the order; Escape leaves without cancelling", async () => {
    const submitted: OrderDetail = { ...order, status: "submitted" };
    const { network, services } = setUp(submitted);
    await services.session.login("u@example.com", "pw");
    renderApp(<OrderPage />, { network, services, path: `/orders/${ID}`, route: "/orders/:id" });
    const open = await screen.findByRole("button", { name: "Annuler la commande" });
    await userEvent.click(open);
    const dialog = await screen.findByRole("dialog", { name: "Annuler la commande PRO-2026-000007 ?" });
    expect(within(dialog).getByTestId("confirm-text").textContent?.replace(/\u00a0/g, " ")).toBe(
      "La réservation de stock est libérée : le stock réservé (7 pièces) redevient disponible. Une commande annulée ne peut plus être validée ni livrée.",
    );
    const keep = within(dialog).getByRole("button", { name: "Garder la commande" });
    await waitFor(() => expect(document.activeElement).toBe(keep));
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(network.calls.some((c) => c.url.endsWith("/cancel"))).toBe(false);
  });
});

describe("order terms", () => {
  it("are sent at the version shown, the day as the API writes it, and the server's field errors go under their fields", async () => {
    let attempt = 0;
    const { network, services } = setUp(order, {
      [`PUT /orders/${ID}/terms`]: () =>
        ++attempt === 1
          ? problem(422, "validation_failed", { errors: [{ field: "notes", code: "too_long", message: "at most 2000 characters" }] })
          : Response.json({ id: ID, version: 5 }),
    });
    await services.session.login("u@example.com", "pw");
    renderApp(<OrderPage />, { network, services, path: `/orders/${ID}`, route: "/orders/:id" });
    const date = await screen.findByLabelText("Offre valable jusqu'au");
    const terms = screen.getByTestId("terms");
    expect(date.getAttribute("placeholder")).toBe("jj/mm/aaaa");
    await userEvent.type(date, "15/01/2027");
    await userEvent.type(within(terms).getByLabelText("Remarques"), "Franco de port");
    await userEvent.click(within(terms).getByRole("button", { name: "Enregistrer les conditions" }));

    const notes = within(terms).getByLabelText("Remarques");
    await waitFor(() => expect(notes.getAttribute("aria-invalid")).toBe("true"));
    expect(within(terms).getByText("Ce texte est trop long.")).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(notes));
    const put = network.calls.find((c) => c.method === "PUT" && c.url.endsWith(`/orders/${ID}/terms`));
    expect(put?.headers.get("if-match")).toBe('"4"');
    expect(await put?.json()).toEqual({ notes: "Franco de port", valid_until: "2027-01-15" });

    await userEvent.click(within(terms).getByRole("button", { name: "Enregistrer les conditions" }));
    await waitFor(() => expect(network.calls.filter((c) => c.method === "PUT").length).toBe(2));
    // Read-your-writes: the order is read again at least at the version the command returned.
    await waitFor(() =>
      expect(network.calls.some((c) => c.url.includes(`/orders/${ID}?`) && c.url.includes("min_version=5"))).toBe(true),
    );
  });

  it("say so when the typed day cannot be read, and send nothing", async () => {
    const { network, services } = setUp(order);
    await services.session.login("u@example.com", "pw");
    renderApp(<OrderPage />, { network, services, path: `/orders/${ID}`, route: "/orders/:id" });
    const date = await screen.findByLabelText("Offre valable jusqu'au");
    const terms = screen.getByTestId("terms");
    await userEvent.type(date, "31/02/2027");
    await userEvent.click(within(terms).getByRole("button", { name: "Enregistrer les conditions" }));
    await within(terms).findByText("Date non reconnue : saisissez-la au format jj/mm/aaaa.");
    expect(date.getAttribute("aria-invalid")).toBe("true");
    expect(network.calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("are only shown once the order is submitted", async () => {
    const submitted: OrderDetail = { ...order, status: "submitted", valid_until: "2027-01-15", notes: "Franco de port" };
    const { network, services } = setUp(submitted);
    await services.session.login("u@example.com", "pw");
    renderApp(<OrderPage />, { network, services, path: `/orders/${ID}`, route: "/orders/:id" });
    const terms = await screen.findByTestId("terms");
    expect(within(terms).getByTestId("terms-valid-until").textContent).toBe("15 janv. 2027");
    expect(within(terms).getByTestId("terms-notes").textContent).toBe("Franco de port");
    expect(within(terms).queryByRole("textbox")).toBeNull();
    // A submitted order's lines show their quantity with the unit, agreed.
    expect(within(screen.getByTestId("line-VIS-1")).getAllByRole("cell")[2]?.textContent).toBe("2\u00a0pièces");
  });
});

describe("invoicing a fulfilled order", () => {
  const fulfilled: OrderDetail = { ...order, status: "fulfilled", version: 9 };
  const INVOICE = "0193a1b2-0000-7000-8000-0000000000f1";

  async function openFulfilled(roles: string[], post: () => Response) {
    const network = fakeNetwork({
      ...signedInAs(roles, ["catalogue:read", "catalogue:write", "orders:write"]),
      [`GET /orders/${ID}`]: () => Response.json(fulfilled),
      "GET /invoices": () => Response.json({ items: [], total: 0, page: 1, limit: 10 }),
      "POST /invoices": post,
    });
    const services = createServices({ commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" }, () => "fr", network);
    await services.session.login("u@example.com", "pw");
    renderApp(<OrderPage />, { network, services, path: `/orders/${ID}`, route: "/orders/:id" });
    await screen.findByRole("heading", { name: "Commande PRO-2026-000007" });
    return { network, services };
  }

  it("issues the invoice after a confirmation, then opens it, read at the version returned", async () => {
    const { network, services } = await openFulfilled(["sales"], () =>
      Response.json({ id: INVOICE, version: 1, number: "FAC-2026-000001", total_gross: "240.00", balance: "240.00" }, { status: 201 }),
    );
    await screen.findByText("Cette commande livrée n'est pas encore facturée.");
    // The order's number is how its invoice is looked up.
    expect(network.calls.some((c) => c.url.includes("/invoices?") && c.url.includes("q=PRO-2026-000007"))).toBe(true);
    await userEvent.click(await screen.findByRole("button", { name: "Émettre la facture" }));
    const dialog = await screen.findByRole("dialog", { name: "Émettre la facture de la commande PRO-2026-000007 ?" });
    expect(within(dialog).getByTestId("confirm-text").textContent?.replace(/[\u00a0\u202f]/g, " ")).toBe(
      "Une facture FAC-… sera émise pour Acme, datée d'aujourd'hui : 2 lignes, 28,00 € HT, 33,60 € TTC. Son échéance suit les conditions de paiement du client.",
    );
    expect(network.calls.some((c) => c.method === "POST" && c.url.endsWith("/invoices"))).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Émettre la facture" }));
    await screen.findByText("elsewhere");
    const sent = network.calls.find((c) => c.method === "POST" && c.url.endsWith("/invoices"));
    expect(await sent?.json()).toEqual({ order_id: ID });
    expect(services.writes.versionOf(INVOICE)).toBe(1);
  });

  it("links to the invoice the order already has (409 order_already_invoiced)", async () => {
    await openFulfilled(["admin"], () => problem(409, "order_already_invoiced", { invoice_id: INVOICE }));
    await userEvent.click(await screen.findByRole("button", { name: "Émettre la facture" }));
    const dialog = await screen.findByRole("dialog", { name: "Émettre la facture de la commande PRO-2026-000007 ?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Émettre la facture" }));
    const link = await screen.findByRole("link", { name: "Ouvrir la facture" });
    expect(link.getAttribute("href")).toBe(`/invoices/${INVOICE}`);
    expect(screen.getByText("Cette commande est déjà facturée.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.queryByRole("button", { name: "Émettre la facture" })).toBeNull();
  });

  it("shows no invoicing to the warehouse, which may not read invoices", async () => {
    const { network } = await openFulfilled(["warehouse"], () => problem(403, "forbidden"));
    await waitFor(() => expect(network.calls.some((c) => c.url.endsWith("/auth/me"))).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId("invoicing")).toBeNull();
    expect(network.calls.some((c) => c.url.includes("/invoices"))).toBe(false);
  });

  it("tells the analyst whether the order is invoiced, without the button", async () => {
    await openFulfilled(["analyst"], () => problem(403, "forbidden"));
    await screen.findByText("Cette commande livrée n'est pas encore facturée.");
    expect(screen.queryByRole("button", { name: "Émettre la facture" })).toBeNull();
  });
});
