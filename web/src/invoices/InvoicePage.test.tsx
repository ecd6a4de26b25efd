// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createServices } from "../services";
import { fakeNetwork, problem, renderApp, type Handler } from "../test/render";
import { signedInAs } from "../test/signedIn";
import { meKey } from "../auth/hooks";
import { InvoicePage } from "./InvoicePage";
import type { InvoiceDetail } from "./model";

const ID = "0193a1b2-0000-7000-8000-0000000000f1";
const line = (line_no: number, sku: string, quantity: string, net: string) => ({
  line_no,
  order_line_no: line_no,
  product_id: `p${line_no}`,
  sku,
  label: `Article ${sku}`,
  unit: "piece" as const,
  quantity,
  unit_price: "25.00",
  discount: "0",
  vat_rate: "20",
  net,
  credited_quantity: "0",
  credited_net: "0.00",
});
const invoice: InvoiceDetail = {
  id: ID,
  number: "FAC-2026-000042",
  status: "issued",
  order_id: "o1",
  order_number: "PRO-2026-000007",
  customer_id: "c1",
  customer_code: "ACME",
  customer_name: "Acme",
  issue_date: "2026-12-03",
  delivery_date: "2026-12-02",
  due_date: "2027-01-02",
  payment_terms: "net_30",
  currency: "EUR",
  line_count: 2,
  total_net: "200.00",
  total_vat: "40.00",
  total_gross: "240.00",
  vat_lines: [{ rate: "20", base: "200.00", amount: "40.00" }],
  credited: "0.00",
  paid: "0.00",
  balance: "240.00",
  version: 4,
  created_at: "2026-12-03T10:00:00Z",
  updated_at: "2026-12-03T10:00:00Z",
  seller: { name: "Démo Négoce SAS", address: ["12 rue des Halles", "69002 Lyon"], siret: "35600000000048", vat_number: "FR39356000000" },
  buyer: { code: "ACME", legal_name: "Acme" },
  lines: [line(1, "VIS-1", "4", "100.00"), line(2, "CHEV-2", "4", "100.00")],
  credit_notes: [],
  payments: [],
  transmissions: [],
};

async function open(roles: string[], routes: Record<string, Handler>, shown: InvoiceDetail = invoice) {
  const reads: string[] = [];
  const network = fakeNetwork({
    ...signedInAs(roles, ["catalogue:read"]),
    [`GET /invoices/${ID}`]: (request) => {
      reads.push(new URL(request.url).search);
      return Response.json(shown);
    },
    ...routes,
  });
  const services = createServices({ commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" }, () => "fr", network);
  await services.session.login("u@example.com", "pw");
  const { queryClient } = renderApp(<InvoicePage />, { network, services, path: `/invoices/${ID}`, route: "/invoices/:id" });
  await screen.findByRole("heading", { name: "Facture FAC-2026-000042" });
  // The actions follow the roles: wait for them to be known.
  await waitFor(() => expect(queryClient.getQueryData(meKey)).toBeDefined());
  return { network, reads };
}

const text = (el: Element | null) => el?.textContent?.replace(/[\u00a0\u202f]/g, " ");

describe("invoice page", () => {
  it("lets an analyst read the invoice, not act on it", async () => {
    await open(["analyst"], {});
    expect(text(screen.getByTestId("balance"))).toBe("240,00 €");
    expect(screen.getByText("Aucun règlement reçu.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Enregistrer un règlement" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Émettre un avoir" })).toBeNull();
    expect(screen.getByText("Pas encore déposée sur la plateforme agréée.")).toBeTruthy();
  });

  it("shows what the approved platform said of each document, with its reason", async () => {
    await open(["analyst"], {}, {
      ...invoice,
      transmissions: [
        { document_id: ID, kind: "invoice", number: "FAC-2026-000042", status: "accepted", platform_ref: "PA-1", reason: null, reported_at: "2026-12-03T10:15:00Z" },
        { document_id: "cn1", kind: "credit_note", number: "AV-2026-000003", status: "rejected", platform_ref: null, reason: "SIREN de l'acheteur inconnu", reported_at: "2026-12-03T11:00:00Z" },
      ],
    });
    const cells = within(screen.getByTestId("transmissions"))
      .getAllByTestId("transmission")
      .map((r) => Array.from(r.querySelectorAll("td"), (td) => text(td)));
    expect(cells.map((c) => [c[0], c[1], c[3]])).toEqual([
      ["FAC-2026-000042", "Acceptée", "PA-1"],
      ["AV-2026-000003", "Rejetée : SIREN de l'acheteur inconnu", ""],
    ]);
  });

  it("records a payment after a confirmation, at the version shown, and shows an overpayment with the server's balance", async () => {
    const { network, reads } = await open(["sales"], {
      [`POST /invoices/${ID}/payments`]: () => problem(422, "overpayment", { balance: "50.00" }),
    });
    // Sales may record a payment, not issue a credit note.
    expect(screen.queryByRole("button", { name: "Émettre un avoir" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer un règlement" }));
    const amount = await screen.findByLabelText(/Montant reçu/);
    expect((amount as HTMLInputElement).value).toBe("240,00");
    await userEvent.clear(amount);
    await userEvent.type(amount, "100");
    await userEvent.type(screen.getByLabelText("Référence (virement, chèque)"), "VIR 2041");
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer le règlement" }));

    const dialog = await screen.findByRole("dialog", { name: /^Enregistrer un règlement de 100,00\s€ \?$/ });
    expect(network.calls.some((c) => c.url.includes("/payments"))).toBe(false);
    expect(text(within(dialog).getByTestId("confirm-balance"))).toBe("Le solde dû passera de 240,00 € à 140,00 €.");
    expect(text(within(dialog).getByTestId("confirm-text"))).toMatch(/\(Virement, référence « VIR 2041 »\) sur la facture FAC-2026-000042 de Acme\.$/);
    await userEvent.click(within(dialog).getByRole("button", { name: "Confirmer le règlement" }));

    // Refused: the server's balance on the amount and above the form; the invoice read again.
    await screen.findByText(/^Ce règlement dépasse le solde dû de la facture, 50,00\s€\.$/);
    await waitFor(() => expect(amount.getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByText(/^C'est plus que le solde dû, 50,00\s€\.$/)).toBeTruthy();
    await waitFor(() => expect(reads.length).toBeGreaterThan(1));
    const sent = network.calls.find((c) => c.method === "POST" && c.url.endsWith(`/invoices/${ID}/payments`));
    expect(sent?.headers.get("if-match")).toBe('"4"');
    const body = await sent?.json();
    expect(body).toMatchObject({ amount: "100", method: "bank_transfer", reference: "VIR 2041" });
    expect(body.paid_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends the same payment again under the same id after an answer that never came", async () => {
    let attempts = 0;
    const { network } = await open(["admin"], {
      [`POST /invoices/${ID}/payments`]: () => {
        attempts += 1;
        if (attempts === 1) throw new TypeError("network down");
        return Response.json({ id: ID, version: 5, payment_id: "pay", balance: "140.00", status: "partly_paid" });
      },
    });
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer un règlement" }));
    const amount = await screen.findByLabelText(/Montant reçu/);
    await userEvent.clear(amount);
    await userEvent.type(amount, "100");
    for (let i = 0; i < 2; i++) {
      await userEvent.click(screen.getByRole("button", { name: "Enregistrer le règlement" }));
      const dialog = await screen.findByRole("dialog", { name: /^Enregistrer un règlement de 100,00\s€ \?$/ });
      await userEvent.click(within(dialog).getByRole("button", { name: "Confirmer le règlement" }));
      await waitFor(() => expect(attempts).toBe(i + 1));
    }
    await waitFor(() => expect(screen.queryByTestId("payment-form")).toBeNull());
    const ids = await Promise.all(network.calls.filter((c) => c.url.includes("/payments")).map(async (c) => (await c.json()).id));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it("checks a credit note against what is left, then shows the server's refusals clearly", async () => {
    let answer = problem(422, "credit_exceeds_invoice", { detail: "line 2: 2 units asked, 1 left to credit" });
    const { network, reads } = await open(["admin"], {
      [`POST /invoices/${ID}/credit-notes`]: () => answer,
    });
    await userEvent.click(screen.getByRole("button", { name: "Émettre un avoir" }));
    const form = await screen.findByTestId("credit-note-form");
    expect(within(form).getByRole("radio", { name: /^Toute la facture \(tout ce qui reste à créditer, 240,00\s€ TTC\)$/ })).toBeTruthy();

    // Five of four: refused on the line, before anything is sent.
    const value = within(form).getByLabelText("Quantité ou montant à créditer sur CHEV-2");
    await userEvent.type(value, "5");
    expect((within(form).getByLabelText("Créditer la ligne CHEV-2") as HTMLInputElement).checked).toBe(true);
    await userEvent.type(within(form).getByLabelText(/Motif/), "Retour");
    await userEvent.click(within(form).getByRole("button", { name: "Émettre l'avoir" }));
    await within(form).findByText(/^C'est plus que ce qui reste à créditer sur cette ligne : 4\spièces\.$/);
    expect(network.calls.some((c) => c.url.includes("/credit-notes"))).toBe(false);

    await userEvent.clear(value);
    await userEvent.type(value, "2");
    await userEvent.click(within(form).getByRole("button", { name: "Émettre l'avoir" }));
    let dialog = await screen.findByRole("dialog", { name: "Émettre un avoir sur la facture FAC-2026-000042 ?" });
    expect(within(dialog).getByRole("row", { name: /CHEV-2 Article CHEV-2 2\spièces/ })).toBeTruthy();
    expect(text(within(dialog).getByTestId("confirm-reason"))).toBe("Motif : « Retour ».");
    await userEvent.click(within(dialog).getByRole("button", { name: "Émettre l'avoir" }));

    // More than the invoice has left (another credit note came first): said plainly, read again.
    const exceeds = await within(form).findByTestId("credit-exceeds");
    expect(exceeds.textContent).toMatch(/Cet avoir dépasse ce qui reste à créditer sur la facture\./);
    expect(exceeds.textContent).toMatch(/La colonne « Reste à créditer » vient d'être relue/);
    await waitFor(() => expect(reads.length).toBeGreaterThan(1));
    const sent = network.calls.find((c) => c.url.includes("/credit-notes"));
    expect(sent?.headers.get("if-match")).toBe('"4"');
    expect(await sent?.json()).toMatchObject({ reason: "Retour", lines: [{ line_no: 2, quantity: "2" }] });

    // A field error on the first line sent goes under that line's field.
    answer = problem(422, "validation_failed", { errors: [{ field: "lines[0].quantity", code: "too_precise", message: "at most 3 decimals" }] });
    await userEvent.click(within(form).getByRole("button", { name: "Émettre l'avoir" }));
    dialog = await screen.findByRole("dialog", { name: "Émettre un avoir sur la facture FAC-2026-000042 ?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Émettre l'avoir" }));
    await within(form).findByText("Trop de décimales.");
    await waitFor(() => expect(value.getAttribute("aria-invalid")).toBe("true"));
  });
});
