// The audit trail made readable: what each event type is called, which page shows its
// object, and a short "field: value" summary of its payload (contracts/src/events.rs).
import type { AuditRow } from "../api/types";
import { MESSAGES, type Lang, type MessageKey } from "../i18n/messages";
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from "../i18n/format";

/** The aggregate types and their event types, in the order a person looks for them. */
export const EVENT_TYPES = {
  Product: ["ProductCreated", "ProductUpdated", "ProductArchived", "ProductReactivated"],
  Customer: ["CustomerCreated", "CustomerUpdated", "CustomerArchived", "CustomerReactivated"],
  Order: [
    "OrderCreated",
    "OrderLineAdded",
    "OrderLineChanged",
    "OrderLineRemoved",
    "OrderCustomerSet",
    "OrderTermsSet",
    "OrderSubmissionStarted",
    "OrderSubmitted",
    "OrderSubmissionRejected",
    "OrderCancelled",
    "OrderStockReleased",
    "OrderFulfilled",
    "OrderStockConsumed",
  ],
  Stock: ["StockAdjusted", "StockReserved", "StockReleased", "StockConsumed", "StockLow"],
  Invoice: ["InvoiceIssued", "CreditNoteIssued", "PaymentRecorded"],
  User: ["UserCreated", "UserRolesChanged", "UserDisabled", "UserEnabled", "UserPasswordChanged"],
  Session: ["LoggedIn", "TokenRefreshed", "SessionEnded"],
  LoginAttempt: ["LoginFailed"],
} as const;

export type AggregateType = keyof typeof EVENT_TYPES;
export const AGGREGATE_TYPES = Object.keys(EVENT_TYPES) as AggregateType[];

/** What a reference points at, for its page and its label. */
export type RefKind = "product" | "customer" | "order" | "invoice" | "user" | "stock";
export interface Ref {
  kind: RefKind;
  id: string;
}

const KIND_OF_AGGREGATE: Partial<Record<string, RefKind>> = {
  Product: "product",
  Customer: "customer",
  Order: "order",
  Invoice: "invoice",
  User: "user",
  Stock: "stock",
};

/** Fields of a payload that name another object. */
const KIND_OF_FIELD: Partial<Record<string, RefKind>> = {
  product_id: "product",
  customer_id: "customer",
  order_id: "order",
  invoice_id: "invoice",
  user_id: "user",
};

/** The page that shows a reference. */
export function refPath(ref: Ref): string {
  switch (ref.kind) {
    case "product":
      return `/products/${ref.id}`;
    case "customer":
      return `/customers/${ref.id}`;
    case "order":
      return `/orders/${ref.id}`;
    case "invoice":
      return `/invoices/${ref.id}`;
    case "stock":
      return `/stock/${ref.id}`;
    case "user":
      return `/admin/users/${ref.id}`;
  }
}

/** The event's object, when a page shows it (not sessions nor refused sign-ins). */
export function targetRef(row: Pick<AuditRow, "aggregate_type" | "aggregate_id">): Ref | null {
  const kind = KIND_OF_AGGREGATE[row.aggregate_type];
  return kind ? { kind, id: row.aggregate_id } : null;
}

/** `system`, `anonymous`, or an account. */
export function actorRef(actorId: string): Ref | null {
  return actorId === "system" || actorId === "anonymous" ? null : { kind: "user", id: actorId };
}

/** The event's own fields: the payload is `{"UserCreated": {...}}` (serde's external tag). */
export function eventBody(row: Pick<AuditRow, "event_type" | "payload">): Record<string, unknown> {
  const payload = row.payload as Record<string, unknown>;
  const inner = payload[row.event_type];
  if (inner && typeof inner === "object" && !Array.isArray(inner)) return inner as Record<string, unknown>;
  return payload;
}

/** Every object the row names: its actor, its target, and the ids in its payload. */
export function rowRefs(row: AuditRow): Ref[] {
  const refs: Ref[] = [];
  const actor = actorRef(row.actor_id);
  if (actor) refs.push(actor);
  const target = targetRef(row);
  // The stock of a product is read through the product.
  if (target) refs.push(target.kind === "stock" ? { kind: "product", id: target.id } : target);
  for (const [field, value] of Object.entries(eventBody(row))) {
    const kind = KIND_OF_FIELD[field];
    if (kind && typeof value === "string") refs.push({ kind, id: value });
  }
  return refs;
}

/** Looks a text up by a key built at run time; undefined when there is none. */
function lookup(lang: Lang, key: string): string | undefined {
  return (MESSAGES[lang] as Record<string, string>)[key];
}

/** "Compte créé" for "UserCreated"; the raw type for one this version does not know. */
export function eventLabel(type: string, lang: Lang): string {
  return lookup(lang, `audit.event.${type}`) ?? type;
}

export function aggregateLabel(type: string, lang: Lang): string {
  return lookup(lang, `audit.aggregate.${type}`) ?? type;
}

/** A field's name, as the event type names it when it differs (an invoice's `lines` are not a reservation). */
export function fieldLabel(field: string, lang: Lang, eventType?: string): string {
  return (
    (eventType && lookup(lang, `audit.field.${eventType}.${field}`)) ||
    lookup(lang, `audit.field.${field}`) ||
    field.replaceAll("_", " ")
  );
}

/** A short form of an id, for when nothing better names it. */
export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/** Never shown in the summary: secrets (already redacted), technical counters. */
const HIDDEN = new Set([
  "password_hash",
  "token_hash",
  "password_epoch",
  "kept_session",
  "session_id",
  "changed",
  "credit_note_id",
  "payment_id",
]);
const MONEY = new Set(["price", "unit_price", "credit_limit", "net", "gross", "vat_total", "amount", "balance"]);
const QUANTITY = new Set(["quantity", "delta", "on_hand", "available", "threshold", "requested", "low_stock_threshold"]);
const DATE = new Set(["valid_until", "issue_date", "delivery_date", "due_date", "paid_on"]);
const INSTANT = new Set(["expires_at"]);

/** One line of the summary: a field, and either a text or a reference to show as a link. */
export type SummaryEntry =
  | { field: string; label: string; text: string }
  | { field: string; label: string; ref: Ref };

function translatedEnum(field: string, value: string, lang: Lang): string {
  const keys: Record<string, string[]> = {
    reason: [`audit.reason.${value}`, `stock.reason.${value}`],
    // Events spell them as serde does (`net30`, `end_of_month30`), the API `net_30`.
    payment_terms: [`terms.${value}`, `terms.${value.replace(/([a-z])(\d+)$/, "$1_$2")}`],
    method: [`invoice.method.${value}`],
    unit: [`unit.${value}`],
  };
  for (const key of keys[field] ?? []) {
    const text = lookup(lang, key);
    if (text) return text;
  }
  return value;
}

/** A value as a person reads it, in `lang`. */
export function formatValue(field: string, value: unknown, lang: Lang): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return MESSAGES[lang][value ? "audit.yes" : "audit.no"];
  if (typeof value === "number") return formatNumber(value, lang);
  if (typeof value === "string") {
    if (MONEY.has(field)) return formatMoney(value, lang);
    if (QUANTITY.has(field)) return formatNumber(value, lang);
    if (field === "vat_rate") return formatPercent(value, lang);
    if (DATE.has(field)) return formatDate(value, lang);
    if (INSTANT.has(field)) return formatDateTime(value, lang);
    return translatedEnum(field, value, lang);
  }
  if (Array.isArray(value)) {
    if (field === "roles") return value.map((r) => lookup(lang, `role.${String(r)}`) ?? String(r)).join(", ");
    return value.map((item) => formatValue(field, item, lang)).join(" ; ");
  }
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    // An address.
    if (typeof o.city === "string" && typeof o.postal_code === "string") {
      return [o.line1, o.line2, `${o.postal_code} ${o.city}`, o.country].filter(Boolean).join(", ");
    }
    // An order line, a need, a shortage: "SKU × quantity".
    if (typeof o.sku === "string" && (typeof o.quantity === "string" || typeof o.requested === "string")) {
      const quantity = formatNumber(String(o.quantity ?? o.requested), lang);
      const line = typeof o.line_no === "number" ? `#${o.line_no} ` : "";
      const available =
        typeof o.available === "string" ? ` (${fieldLabel("available", lang).toLowerCase()} ${formatNumber(o.available, lang)})` : "";
      return `${line}${o.sku} × ${quantity}${available}`;
    }
    // An invoice's parties: their names.
    if (typeof o.legal_name === "string") return o.legal_name;
    if (typeof o.name === "string" && typeof o.siret === "string") return o.name;
    // A credit note's line: the invoice line, and units or an amount (HT).
    if (typeof o.invoice_line_no === "number") {
      const what = typeof o.quantity === "string" ? `× ${formatNumber(o.quantity, lang)}` : `${formatMoney(String(o.net), lang)}`;
      return `#${o.invoice_line_no} ${what}`;
    }
    // Totals: the total with VAT says most.
    if (typeof o.gross === "string") return `${formatMoney(o.gross, lang)} ${MESSAGES[lang]["audit.gross"]}`;
    return Object.entries(o)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${fieldLabel(k, lang)} ${formatValue(k, v, lang)}`)
      .join(", ");
  }
  return String(value);
}

/**
 * The payload in a few "field: value" lines: on an update only the fields it changed,
 * never secrets nor the event's own object id; empty values left out.
 */
export function summarize(row: AuditRow, lang: Lang): SummaryEntry[] {
  const body = eventBody(row);
  const changed = Array.isArray(body.changed) ? new Set(body.changed.map(String)) : null;
  const entries: SummaryEntry[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (HIDDEN.has(field) || value === null || value === undefined) continue;
    if (changed && !changed.has(field)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    const label = fieldLabel(field, lang, row.event_type);
    const kind = KIND_OF_FIELD[field];
    if (kind && typeof value === "string") {
      // The event's own object is already in the "object" column.
      if (value === row.aggregate_id) continue;
      entries.push({ field, label, ref: { kind, id: value } });
      continue;
    }
    entries.push({ field, label, text: formatValue(field, value, lang) });
  }
  return entries;
}

/** A label for a reference from the event itself, while (or when) the object cannot be read. */
export function payloadLabel(row: AuditRow): string | null {
  const body = eventBody(row);
  for (const field of ["email", "sku", "code", "number"]) {
    if (typeof body[field] === "string" && body[field]) return body[field] as string;
  }
  return null;
}

/** The keys every event label and field label uses, for the tests. */
export function auditKeys(): MessageKey[] {
  return Object.values(EVENT_TYPES)
    .flat()
    .map((type) => `audit.event.${type}` as MessageKey);
}
