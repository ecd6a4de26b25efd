import { describe, expect, it } from "vitest";
import type { AuditRow } from "../api/types";
import { MESSAGES } from "../i18n/messages";
import {
  AGGREGATE_TYPES,
  EVENT_TYPES,
  actorRef,
  aggregateLabel,
  auditKeys,
  eventBody,
  eventLabel,
  fieldLabel,
  formatValue,
  payloadLabel,
  refPath,
  rowRefs,
  summarize,
  targetRef,
} from "./audit";

const ADMIN = "01a23d4d-fd10-751a-8a69-506d5cbf7df5";
const BRUNO = "01a23d4f-c26e-70fb-80fd-94fe3a2e1969";
const PRODUCT = "01a23d50-0000-7000-8000-000000000001";
const ORDER = "01a23d51-0000-7000-8000-000000000002";

function row(event_type: string, body: object, extra: Partial<AuditRow> = {}): AuditRow {
  return {
    occurred_at: "2026-12-03T19:09:00Z",
    actor_id: ADMIN,
    actor_roles: "admin",
    correlation_id: "c-1",
    aggregate_type: "User",
    aggregate_id: BRUNO,
    sequence: 1,
    event_type,
    event_version: "1",
    payload: { [event_type]: body } as unknown as AuditRow["payload"],
    source_ip: "127.0.0.1",
    user_agent: "test",
    ...extra,
  };
}

const userCreated = row("UserCreated", {
  user_id: BRUNO,
  email: "bruno@example.com",
  display_name: "Bruno Lefèvre",
  roles: ["warehouse", "analyst"],
  password_hash: "<redacted>",
  must_change_password: true,
});

describe("audit trail, readable", () => {
  it("names every event type and object type in French and English", () => {
    for (const key of auditKeys()) {
      expect(MESSAGES.fr[key], key).toBeTruthy();
      expect(MESSAGES.en[key], key).toBeTruthy();
    }
    for (const type of AGGREGATE_TYPES) {
      const key = `audit.aggregate.${type}` as keyof typeof MESSAGES.fr;
      expect([MESSAGES.fr[key], MESSAGES.en[key]], type).toEqual([aggregateLabel(type, "fr"), aggregateLabel(type, "en")]);
      expect(MESSAGES.fr[key], type).toBeTruthy();
    }
    expect(aggregateLabel("LoginAttempt", "fr")).toBe("Tentative de connexion");
    expect(eventLabel("UserCreated", "fr")).toBe("Compte créé");
    expect(eventLabel("UserCreated", "en")).toBe("Account created");
    expect(eventLabel("SomethingNew", "fr")).toBe("SomethingNew");
    expect(Object.values(EVENT_TYPES).flat()).toHaveLength(38);
  });

  it("links the object to its page where one shows it", () => {
    expect(targetRef(userCreated)).toEqual({ kind: "user", id: BRUNO });
    expect(refPath(targetRef(userCreated)!)).toBe(`/admin/users/${BRUNO}`);
    expect(refPath({ kind: "product", id: PRODUCT })).toBe(`/products/${PRODUCT}`);
    expect(refPath({ kind: "customer", id: "c" })).toBe("/customers/c");
    expect(refPath({ kind: "order", id: ORDER })).toBe(`/orders/${ORDER}`);
    expect(refPath({ kind: "stock", id: PRODUCT })).toBe(`/stock/${PRODUCT}`);
    expect(targetRef({ aggregate_type: "Session", aggregate_id: "s" })).toBeNull();
    expect(targetRef({ aggregate_type: "LoginAttempt", aggregate_id: "a" })).toBeNull();
  });

  it("knows the system and anonymous actors from accounts", () => {
    expect(actorRef("system")).toBeNull();
    expect(actorRef("anonymous")).toBeNull();
    expect(actorRef(ADMIN)).toEqual({ kind: "user", id: ADMIN });
  });

  it("unwraps the payload's tag", () => {
    expect(eventBody(userCreated).email).toBe("bruno@example.com");
    expect(eventBody(row("ProductArchived", {}))).toEqual({});
  });

  it("summarizes a creation without the hash nor its own id, roles and booleans in words", () => {
    expect(summarize(userCreated, "fr")).toEqual([
      { field: "email", label: "E-mail", text: "bruno@example.com" },
      { field: "display_name", label: "Nom affiché", text: "Bruno Lefèvre" },
      { field: "roles", label: "Rôles", text: "Entrepôt, Analyste" },
      { field: "must_change_password", label: "Doit changer son mot de passe", text: "oui" },
    ]);
    expect(summarize(userCreated, "en").map((e) => ("text" in e ? e.text : null))).toEqual([
      "bruno@example.com",
      "Bruno Lefèvre",
      "Warehouse, Analyst",
      "yes",
    ]);
  });

  it("shows only what an update changed, money and rates formatted", () => {
    const updated = row(
      "ProductUpdated",
      { name: "Vis", price: "11.90", vat_rate: "5.5", unit: "box", category: "Q", barcode: null, changed: ["price", "vat_rate", "unit"] },
      { aggregate_type: "Product", aggregate_id: PRODUCT },
    );
    const entries = summarize(updated, "fr");
    expect(entries.map((e) => e.field)).toEqual(["price", "vat_rate", "unit"]);
    expect(entries.map((e) => ("text" in e ? e.text : "")).join(" | ")).toMatch(/^11,90\s€ \| 5,5\s% \| boîte$/);
  });

  it("links the other objects an event names, and reads order lines and reasons", () => {
    const reserved = row("StockReserved", { order_id: ORDER, quantity: "3" }, { aggregate_type: "Stock", aggregate_id: PRODUCT });
    expect(summarize(reserved, "fr")).toEqual([
      { field: "order_id", label: "Commande", ref: { kind: "order", id: ORDER } },
      { field: "quantity", label: "Quantité", text: "3" },
    ]);
    expect(rowRefs(reserved)).toEqual([
      { kind: "user", id: ADMIN },
      { kind: "product", id: PRODUCT },
      { kind: "order", id: ORDER },
    ]);
    const line = { line_no: 2, product_id: PRODUCT, sku: "VIS-440", quantity: "12", unit_price: "1.5" };
    expect(formatValue("line", line, "fr")).toBe("#2 VIS-440 × 12");
    expect(formatValue("shortages", [{ sku: "VIS-440", requested: "12", available: "3" }], "fr")).toBe(
      "VIS-440 × 12 (disponible 3)",
    );
    expect(formatValue("reason", "wrong_password", "fr")).toBe("mot de passe erroné");
    expect(formatValue("reason", "receipt", "en")).toBe("Receipt");
    expect(formatValue("payment_terms", "net_30", "fr")).toBe("30 jours net");
    // As events write them.
    expect(formatValue("payment_terms", "net30", "fr")).toBe("30 jours net");
    expect(formatValue("payment_terms", "end_of_month45", "en")).toBe(MESSAGES.en["terms.end_of_month_45"]);
    expect(formatValue("payment_terms", "immediate", "fr")).toBe(MESSAGES.fr["terms.immediate"]);
    expect(formatValue("billing_address", { line1: "1 rue A", line2: null, postal_code: "75001", city: "Paris", country: "FR" }, "fr")).toBe(
      "1 rue A, 75001 Paris, FR",
    );
    expect(formatValue("totals", { net: "10", vat: [], vat_total: "2", gross: "12" }, "fr")).toMatch(/^12,00\s€ TTC$/);
  });

  it("names an object from the event itself while it cannot be read", () => {
    expect(payloadLabel(userCreated)).toBe("bruno@example.com");
    expect(payloadLabel(row("LoginFailed", { email: "who@example.com", user_id: null, reason: "unknown_email" }))).toBe(
      "who@example.com",
    );
    expect(payloadLabel(row("ProductArchived", {}))).toBeNull();
    expect(fieldLabel("brand_new_field", "fr")).toBe("brand new field");
  });

  it("reads invoicing events: the invoice's page, a payment's method and money, a credit note's lines", () => {
    const INVOICE = "01a23d52-0000-7000-8000-000000000003";
    const paid = row(
      "PaymentRecorded",
      {
        payment_id: "01a23d53-0000-7000-8000-000000000004",
        invoice_number: "FAC-2026-000001",
        customer_id: "c1",
        paid_on: "2026-12-03",
        amount: "100.00",
        method: "bank_transfer",
        reference: "VIR 2041",
        balance: "256.86",
      },
      { aggregate_type: "Invoice", aggregate_id: INVOICE },
    );
    expect(eventLabel("PaymentRecorded", "fr")).toBe("Règlement enregistré");
    expect(refPath(targetRef(paid)!)).toBe(`/invoices/${INVOICE}`);
    const flat = (t: string) => t.replace(/[\u00a0\u202f]/g, " ");
    expect(summarize(paid, "fr").map((e) => ("text" in e ? `${e.label}: ${flat(e.text)}` : `${e.label} → ${e.ref.kind}`))).toEqual([
      "Facture: FAC-2026-000001",
      "Client → customer",
      "Reçu le: 3 déc. 2026",
      "Montant: 100,00 €",
      "Mode de règlement: Virement",
      "Référence: VIR 2041",
      "Solde dû: 256,86 €",
    ]);
    const credit = row(
      "CreditNoteIssued",
      { number: "AV-2026-000001", lines: [{ invoice_line_no: 2, quantity: "1", vat_rate: "20", net: "89.90" }, { invoice_line_no: 3, quantity: null, vat_rate: "5.5", net: "10.00" }] },
      { aggregate_type: "Invoice", aggregate_id: INVOICE },
    );
    expect(summarize(credit, "fr").map((e) => ("text" in e ? `${e.label}: ${flat(e.text)}` : e.label))).toEqual([
      "Avoir: AV-2026-000001",
      "Lignes créditées: #2 × 1 ; #3 10,00 €",
    ]);
    expect(fieldLabel("lines", "fr", "InvoiceIssued")).toBe("Lignes");
    expect(fieldLabel("lines", "fr", "StockReserved")).toBe("Réservé");
  });
});
