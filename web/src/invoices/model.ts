// The pure parts of invoicing in the browser: statuses, exact decimal differences (what is
// left to credit on a line, what a payment leaves), and the checks the payment and
// credit-note forms make before anything is sent. The server decides; these checks only
// spare the person a round trip and a confirmation that would be refused.
import type { components as R } from "../api/generated/read-api";
import type { components as C } from "../api/generated/command-api";
import { parseDecimalInput } from "../i18n/format";

export type InvoiceStatus = R["schemas"]["InvoiceStatus"];
export type InvoiceRow = R["schemas"]["InvoiceRow"];
export type InvoiceDetail = R["schemas"]["InvoiceDetail"];
export type InvoiceLine = R["schemas"]["InvoiceLineRow"];
export type CreditNote = R["schemas"]["CreditNoteDetail"];
export type Payment = R["schemas"]["PaymentRow"];
export type PaymentMethod = C["schemas"]["PaymentMethod"];
export type RecordPayment = C["schemas"]["RecordPayment"];
export type IssueCreditNote = C["schemas"]["IssueCreditNote"];

/** In the list filter's order: what still owes first. */
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ["issued", "partly_paid", "overdue", "paid", "credited"];
export const PAYMENT_METHODS: readonly PaymentMethod[] = ["bank_transfer", "card", "cheque", "direct_debit", "cash", "other"];

/** The longest reason a credit note takes, and reference a payment takes (characters). */
export const REASON_MAX = 500;
export const REFERENCE_MAX = 200;

// ---- exact decimals -------------------------------------------------------------------
// Amounts and quantities are decimal strings; a difference is worked out on integers of
// the finer scale (BigInt), never on binary floating point.

interface Scaled {
  units: bigint;
  scale: number;
}

function scaled(value: string): Scaled {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`not a decimal: ${value}`);
  const fraction = m[3] ?? "";
  const units = BigInt(`${m[2]}${fraction}`);
  return { units: m[1] ? -units : units, scale: fraction.length };
}

function at(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function written({ units, scale }: Scaled): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${fraction}` : ""}`;
}

/** a − b, exactly, at the finer of the two scales: ("240.00", "100") → "140.00". */
export function subtractDecimal(a: string, b: string): string {
  const x = scaled(a);
  const y = scaled(b);
  const scale = Math.max(x.scale, y.scale);
  return written({ units: at(x, scale) - at(y, scale), scale });
}

/** −1, 0 or 1 as a is below, equal to or above b ("1.50" equals "1.5"). */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const x = scaled(a);
  const y = scaled(b);
  const scale = Math.max(x.scale, y.scale);
  const d = at(x, scale) - at(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Decimals written, trailing zeros aside: "1.50" → 1, "2" → 0. */
export function significantDecimals(value: string): number {
  const fraction = value.split(".")[1] ?? "";
  return fraction.replace(/0+$/, "").length;
}

// ---- invoices ---------------------------------------------------------------------------

/** Units of the line not yet given back by credit notes. */
export function quantityLeft(line: InvoiceLine): string {
  return subtractDecimal(line.quantity, line.credited_quantity);
}

/** Net (HT) of the line not yet taken off by credit notes. */
export function netLeft(line: InvoiceLine): string {
  return subtractDecimal(line.net, line.credited_net);
}

/** Can a payment be recorded: the customer still owes something. */
export function owes(invoice: Pick<InvoiceRow, "balance">): boolean {
  return compareDecimal(invoice.balance, "0") > 0;
}

/** Can a credit note be issued: some line still has units or an amount to credit. */
export function creditable(lines: readonly InvoiceLine[]): boolean {
  return lines.some((l) => compareDecimal(netLeft(l), "0") > 0 || compareDecimal(quantityLeft(l), "0") > 0);
}

/** What the balance becomes after a payment of `amount` (both API decimals). */
export function balanceAfter(balance: string, amount: string): string {
  return subtractDecimal(balance, amount);
}

// ---- form checks ------------------------------------------------------------------------

/** Why a field is refused before sending; each has its message (`invoice.check.<code>`). */
export type Check =
  | "required"
  | "decimal"
  | "not_positive"
  | "too_precise"
  | "over_balance"
  | "over_left"
  | "in_future"
  | "unreadable_date"
  | "too_long"
  | "none_chosen";

export interface PaymentValues {
  /** YYYY-MM-DD, or null when the field is empty. */
  paid_on: string | null;
  /** As typed: "1 234,50". */
  amount: string;
  method: PaymentMethod | null;
  reference: string;
}

export type PaymentField = keyof PaymentValues;

export interface PaymentCheck {
  errors: Partial<Record<PaymentField, Check>>;
  /** The command's body, when nothing was refused. */
  body?: RecordPayment;
}

function positiveDecimal(typed: string, maxDecimals: number, decimals: (v: string) => number): { value?: string; check?: Check } {
  if (!typed.trim()) return { check: "required" };
  const value = parseDecimalInput(typed);
  if (value === null) return { check: "decimal" };
  if (compareDecimal(value, "0") <= 0) return { check: "not_positive" };
  if (decimals(value) > maxDecimals) return { check: "too_precise" };
  return { value };
}

function length(text: string): number {
  return [...text].length;
}

/**
 * A payment as typed, against the invoice's balance and today (Paris): at most the
 * balance, in cents, received by today; the method chosen; a reference of 200
 * characters at most. `dateUnreadable`: the date field holds text that is no day.
 */
export function checkPayment(
  values: PaymentValues,
  { balance, today, dateUnreadable = false }: { balance: string; today: string; dateUnreadable?: boolean },
): PaymentCheck {
  const errors: PaymentCheck["errors"] = {};
  if (dateUnreadable) errors.paid_on = "unreadable_date";
  else if (!values.paid_on) errors.paid_on = "required";
  else if (values.paid_on > today) errors.paid_on = "in_future";
  const amount = positiveDecimal(values.amount, 2, significantDecimals);
  if (amount.check) errors.amount = amount.check;
  else if (amount.value && compareDecimal(amount.value, balance) > 0) errors.amount = "over_balance";
  if (!values.method) errors.method = "required";
  const reference = values.reference.trim();
  if (length(reference) > REFERENCE_MAX) errors.reference = "too_long";
  if (Object.keys(errors).length > 0 || !values.paid_on || !amount.value || !values.method) return { errors };
  return {
    errors,
    body: { paid_on: values.paid_on, amount: amount.value, method: values.method, reference: reference || null },
  };
}

export interface CreditLineInput {
  chosen: boolean;
  /** Units given back, or an amount (HT) taken off. */
  by: "quantity" | "amount";
  /** As typed. */
  value: string;
}

export interface CreditNoteValues {
  /** Everything the invoice has left to credit, or the lines chosen. */
  scope: "whole" | "lines";
  reason: string;
  /** By invoice line number. */
  lines: Record<number, CreditLineInput>;
}

export interface CreditNoteCheck {
  reason?: Check;
  /** For the lines as a whole: none chosen. */
  lines?: Check;
  /** By invoice line number. */
  byLine: Record<number, Check>;
  /** The command's body, when nothing was refused. */
  body?: IssueCreditNote;
  /** The invoice line of each entry of `body.lines`, to place the server's `lines[i]` errors. */
  lineNos: number[];
}

/** The form's starting values: the lines chosen one by one, none yet, by quantity. */
export function emptyCreditNote(lines: readonly InvoiceLine[]): CreditNoteValues {
  return {
    scope: "lines",
    reason: "",
    lines: Object.fromEntries(lines.map((l) => [l.line_no, { chosen: false, by: "quantity", value: "" }])),
  };
}

/**
 * A credit note as typed, against what each line has left: a reason (500 characters at
 * most); for chosen lines, units (3 decimals at most) or an amount HT (in cents), more
 * than zero and no more than is left on the line.
 */
export function checkCreditNote(values: CreditNoteValues, lines: readonly InvoiceLine[]): CreditNoteCheck {
  const result: CreditNoteCheck = { byLine: {}, lineNos: [] };
  const reason = values.reason.trim();
  if (!reason) result.reason = "required";
  else if (length(reason) > REASON_MAX) result.reason = "too_long";
  const credits: NonNullable<IssueCreditNote["lines"]> = [];
  if (values.scope === "lines") {
    for (const line of lines) {
      const input = values.lines[line.line_no];
      if (!input?.chosen) continue;
      const typed =
        input.by === "quantity"
          ? positiveDecimal(input.value, 3, (v) => v.split(".")[1]?.length ?? 0)
          : positiveDecimal(input.value, 2, significantDecimals);
      const left = input.by === "quantity" ? quantityLeft(line) : netLeft(line);
      if (typed.check) result.byLine[line.line_no] = typed.check;
      else if (typed.value && compareDecimal(typed.value, left) > 0) result.byLine[line.line_no] = "over_left";
      else if (typed.value) {
        credits.push(input.by === "quantity" ? { line_no: line.line_no, quantity: typed.value } : { line_no: line.line_no, amount: typed.value });
        result.lineNos.push(line.line_no);
      }
    }
    const chosen = lines.some((l) => values.lines[l.line_no]?.chosen);
    if (!chosen) result.lines = "none_chosen";
  }
  if (result.reason || result.lines || Object.keys(result.byLine).length > 0) return result;
  result.body = values.scope === "whole" ? { reason, whole: true } : { reason, lines: credits };
  return result;
}

/** The invoice line a server field error names (`lines[1].quantity` → the second line sent). */
export function lineOfField(field: string, lineNos: readonly number[]): number | undefined {
  const m = /^lines\[(\d+)\]/.exec(field);
  return m ? lineNos[Number(m[1])] : undefined;
}
