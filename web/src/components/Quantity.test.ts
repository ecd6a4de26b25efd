import { describe, expect, it } from "vitest";
import { formatCount, formatQuantity, plural, pluralForm, unitLabel } from "./Quantity";

const nb = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("quantities with their unit", () => {
  it("agree in French: 0, 1 and 1,5 are singular, 2 and more plural", () => {
    expect(nb(formatQuantity("1", "piece", "fr"))).toBe("1 pièce");
    expect(nb(formatQuantity("3", "piece", "fr"))).toBe("3 pièces");
    expect(nb(formatQuantity("0", "piece", "fr"))).toBe("0 pièce");
    expect(nb(formatQuantity("1.5", "hour", "fr"))).toBe("1,5 heure");
    expect(nb(formatQuantity("2", "box", "fr"))).toBe("2 boîtes");
    expect(nb(formatQuantity("1000000", "pack", "fr"))).toBe("1 000 000 lots");
  });

  it("agree in English: only one is singular", () => {
    expect(formatQuantity("1", "piece", "en")).toBe("1\u00a0piece");
    expect(formatQuantity("3", "piece", "en")).toBe("3\u00a0pieces");
    expect(formatQuantity("0", "piece", "en")).toBe("0\u00a0pieces");
    expect(formatQuantity("1.5", "day", "en")).toBe("1.5\u00a0days");
    expect(formatQuantity("2", "box", "en")).toBe("2\u00a0boxes");
    expect(formatQuantity("1234.5", "piece", "en")).toBe("1,234.5\u00a0pieces");
  });

  it("agree with the quantity as displayed, and with negative ones (stock going out)", () => {
    // "1.000" from the API and 1.0004 rounded to three decimals both read "1".
    expect(nb(formatQuantity("1.000", "piece", "en"))).toBe("1 piece");
    expect(pluralForm(1.0004, "en")).toBe("one");
    expect(nb(formatQuantity("-1", "piece", "en"))).toBe("-1 piece");
    expect(nb(formatQuantity("-3", "piece", "fr"))).toBe("-3 pièces");
  });

  it("write measurement units as symbols, which take no plural", () => {
    expect(nb(formatQuantity("2.5", "kg", "fr"))).toBe("2,5 kg");
    expect(nb(formatQuantity("12", "m2", "en"))).toBe("12 m²");
    expect(unitLabel("l", 3, "fr")).toBe("l");
  });

  it("never wrap between the figure and the unit", () => {
    expect(formatQuantity("3", "piece", "fr")).toMatch(/^3\u00a0pièces$/);
  });

  it("pick message keys and words by count, and show what cannot be read as it came", () => {
    expect(plural(1, "fr", { one: "orders.total.one", other: "orders.total.other" })).toBe("orders.total.one");
    expect(plural(0, "en", { one: "a", other: "b" })).toBe("b");
    expect(nb(formatCount(2, "fr", { one: "ligne", other: "lignes" }))).toBe("2 lignes");
    expect(pluralForm("abc", "fr")).toBe("other");
  });
});
