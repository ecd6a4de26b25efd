import { describe, expect, it } from "vitest";
import {
  balanceAfter,
  checkCreditNote,
  checkPayment,
  compareDecimal,
  creditable,
  emptyCreditNote,
  lineOfField,
  netLeft,
  owes,
  quantityLeft,
  significantDecimals,
  subtractDecimal,
  type InvoiceLine,
  type PaymentValues,
} from "./model";

const line = (line_no: number, over: Partial<InvoiceLine> = {}): InvoiceLine => ({
  line_no,
  order_line_no: line_no,
  product_id: `p${line_no}`,
  sku: `SKU-${line_no}`,
  label: `Article ${line_no}`,
  unit: "piece",
  quantity: "4",
  unit_price: "25.00",
  discount: "0",
  vat_rate: "20",
  net: "100.00",
  credited_quantity: "0",
  credited_net: "0.00",
  ...over,
});

describe("exact decimals", () => {
  it("subtract at the finer scale, without floating-point drift", () => {
    expect(subtractDecimal("240.00", "100")).toBe("140.00");
    expect(subtractDecimal("0.3", "0.1")).toBe("0.2");
    expect(subtractDecimal("100.00", "100.01")).toBe("-0.01");
    expect(subtractDecimal("4", "1.5")).toBe("2.5");
    expect(subtractDecimal("1234567890123.45", "0.05")).toBe("1234567890123.40");
  });

  it("compare regardless of trailing zeros", () => {
    expect(compareDecimal("1.50", "1.5")).toBe(0);
    expect(compareDecimal("100.01", "100")).toBe(1);
    expect(compareDecimal("-5", "0")).toBe(-1);
  });

  it("count significant decimals", () => {
    expect(significantDecimals("1.50")).toBe(1);
    expect(significantDecimals("2")).toBe(0);
    expect(significantDecimals("0.125")).toBe(3);
  });

  it("refuse what is not a decimal rather than guess", () => {
    expect(() => subtractDecimal("12,50", "1")).toThrow();
  });
});

describe("balance and what is left", () => {
  it("works out what a payment leaves", () => {
    expect(balanceAfter("240.00", "100.00")).toBe("140.00");
    expect(balanceAfter("240.00", "240")).toBe("0.00");
  });

  it("knows whether the customer owes and whether anything is left to credit", () => {
    expect(owes({ balance: "0.01" })).toBe(true);
    expect(owes({ balance: "0.00" })).toBe(false);
    expect(owes({ balance: "-12.00" })).toBe(false);
    const part = line(1, { credited_quantity: "1", credited_net: "25.00" });
    expect(quantityLeft(part)).toBe("3");
    expect(netLeft(part)).toBe("75.00");
    expect(creditable([part])).toBe(true);
    expect(creditable([line(1, { credited_quantity: "4", credited_net: "100.00" })])).toBe(false);
  });
});

describe("payment form", () => {
  const ok: PaymentValues = { paid_on: "2026-12-03", amount: "100,00", method: "bank_transfer", reference: " VIR 2041 " };
  const ctx = { balance: "240.00", today: "2026-12-03" };

  it("gives the command's body for a payment within the balance", () => {
    expect(checkPayment(ok, ctx)).toEqual({
      errors: {},
      body: { paid_on: "2026-12-03", amount: "100.00", method: "bank_transfer", reference: "VIR 2041" },
    });
    expect(checkPayment({ ...ok, amount: "240", reference: "" }, ctx).body).toEqual({
      paid_on: "2026-12-03",
      amount: "240",
      method: "bank_transfer",
      reference: null,
    });
  });

  it("refuses more than the balance, a future day, no amount, no method", () => {
    expect(checkPayment({ ...ok, amount: "240,01" }, ctx).errors).toEqual({ amount: "over_balance" });
    expect(checkPayment({ ...ok, paid_on: "2026-12-04" }, ctx).errors).toEqual({ paid_on: "in_future" });
    expect(checkPayment({ ...ok, paid_on: null, amount: " ", method: null }, ctx)).toEqual({
      errors: { paid_on: "required", amount: "required", method: "required" },
    });
  });

  it("refuses an unreadable date, zero, negative, fractions of cents and a long reference", () => {
    expect(checkPayment(ok, { ...ctx, dateUnreadable: true }).errors).toEqual({ paid_on: "unreadable_date" });
    expect(checkPayment({ ...ok, amount: "0" }, ctx).errors.amount).toBe("not_positive");
    expect(checkPayment({ ...ok, amount: "-3" }, ctx).errors.amount).toBe("not_positive");
    expect(checkPayment({ ...ok, amount: "12,345" }, ctx).errors.amount).toBe("too_precise");
    expect(checkPayment({ ...ok, amount: "12,50" }, ctx).errors.amount).toBeUndefined();
    expect(checkPayment({ ...ok, amount: "douze" }, ctx).errors.amount).toBe("decimal");
    expect(checkPayment({ ...ok, reference: "x".repeat(201) }, ctx).errors.reference).toBe("too_long");
  });
});

describe("credit-note form", () => {
  const lines = [line(1), line(2, { credited_quantity: "3", credited_net: "75.00" })];

  it("starts with no line chosen, and says so", () => {
    const values = { ...emptyCreditNote(lines), reason: "Retour" };
    expect(checkCreditNote(values, lines)).toEqual({ byLine: {}, lineNos: [], lines: "none_chosen" });
  });

  it("credits the whole invoice with a reason", () => {
    const check = checkCreditNote({ ...emptyCreditNote(lines), scope: "whole", reason: "  Annulation  " }, lines);
    expect(check.body).toEqual({ reason: "Annulation", whole: true });
  });

  it("credits chosen lines by units or by an amount, in line order", () => {
    const values = emptyCreditNote(lines);
    values.reason = "Retour d'un article";
    values.lines[2] = { chosen: true, by: "amount", value: "10,50" };
    values.lines[1] = { chosen: true, by: "quantity", value: "1" };
    const check = checkCreditNote(values, lines);
    expect(check.body).toEqual({
      reason: "Retour d'un article",
      lines: [
        { line_no: 1, quantity: "1" },
        { line_no: 2, amount: "10.50" },
      ],
    });
    expect(check.lineNos).toEqual([1, 2]);
  });

  it("refuses more than a line has left, by units or by amount", () => {
    const values = emptyCreditNote(lines);
    values.reason = "Retour";
    values.lines[2] = { chosen: true, by: "quantity", value: "2" };
    expect(checkCreditNote(values, lines).byLine).toEqual({ 2: "over_left" });
    values.lines[2] = { chosen: true, by: "amount", value: "25,01" };
    expect(checkCreditNote(values, lines).byLine).toEqual({ 2: "over_left" });
    values.lines[2] = { chosen: true, by: "amount", value: "25" };
    expect(checkCreditNote(values, lines).byLine).toEqual({});
  });

  it("refuses a missing reason, a long one, an empty, zero or too precise value", () => {
    const values = emptyCreditNote(lines);
    values.lines[1] = { chosen: true, by: "quantity", value: "" };
    expect(checkCreditNote(values, lines)).toMatchObject({ reason: "required", byLine: { 1: "required" } });
    values.reason = "x".repeat(501);
    expect(checkCreditNote(values, lines).reason).toBe("too_long");
    values.reason = "é".repeat(500);
    expect(checkCreditNote(values, lines).reason).toBeUndefined();
    values.lines[1] = { chosen: true, by: "quantity", value: "0" };
    expect(checkCreditNote(values, lines).byLine[1]).toBe("not_positive");
    values.lines[1] = { chosen: true, by: "quantity", value: "0,0001" };
    expect(checkCreditNote(values, lines).byLine[1]).toBe("too_precise");
    values.lines[1] = { chosen: true, by: "amount", value: "1,001" };
    expect(checkCreditNote(values, lines).byLine[1]).toBe("too_precise");
    expect(checkCreditNote(values, lines).body).toBeUndefined();
  });

  it("ignores the values of lines not chosen, and those of the whole scope", () => {
    const values = emptyCreditNote(lines);
    values.reason = "Geste commercial";
    values.lines[1] = { chosen: false, by: "quantity", value: "99" };
    values.lines[2] = { chosen: true, by: "amount", value: "5" };
    expect(checkCreditNote(values, lines).body).toEqual({ reason: "Geste commercial", lines: [{ line_no: 2, amount: "5" }] });
    expect(checkCreditNote({ ...values, scope: "whole" }, lines).body).toEqual({ reason: "Geste commercial", whole: true });
  });

  it("places the server's line errors on the line they name", () => {
    expect(lineOfField("lines[1].quantity", [3, 5])).toBe(5);
    expect(lineOfField("lines[0].line_no", [3, 5])).toBe(3);
    expect(lineOfField("reason", [3, 5])).toBeUndefined();
  });
});
