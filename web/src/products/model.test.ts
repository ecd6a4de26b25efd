import { describe, expect, it } from "vitest";
import type { ProductRow } from "../api/types";
import { createBody, ifMatch, updateBody, validateProduct, valuesFromProduct, EMPTY_PRODUCT } from "./model";
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch, listQuery } from "./listParams";

const product: ProductRow = {
  id: "0193a1b2-0000-7000-8000-000000000001",
  sku: "VIS-440",
  name: "Vis à bois 4x40",
  price: "12.50",
  vat_rate: "20",
  unit: "box",
  category: "Quincaillerie",
  barcode: "4006381333931",
  low_stock_threshold: "10",
  status: "active",
  version: 3,
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-02T10:00:00Z",
  updated_by: "u1",
  last_correlation_id: "c1",
};

describe("product form model", () => {
  it("shows decimals with a French comma and sends them with a point", () => {
    const values = valuesFromProduct(product, "fr");
    expect(values.price).toBe("12,50");
    expect(createBody({ ...values, price: "1 234,5" }).price).toBe("1234.5");
  });

  it("creates with optional fields empty as null", () => {
    const body = createBody({ ...EMPTY_PRODUCT, sku: " A-1 ", name: "A", price: "3", category: "C" });
    expect(body).toEqual({
      sku: "A-1",
      name: "A",
      price: "3",
      vat_rate: "20",
      unit: "piece",
      category: "C",
      barcode: null,
      low_stock_threshold: null,
    });
  });

  it("patches only what changed; 12,5 equals 12.50; an emptied optional field is cleared", () => {
    const values = valuesFromProduct(product, "fr");
    expect(updateBody(product, values)).toEqual({});
    expect(updateBody(product, { ...values, price: "12,5" })).toEqual({});
    expect(updateBody(product, { ...values, price: "11,90" })).toEqual({ price: "11.90" });
    expect(updateBody(product, { ...values, barcode: "", low_stock_threshold: " " })).toEqual({
      barcode: null,
      low_stock_threshold: null,
    });
    expect(updateBody(product, { ...values, name: "Vis inox", unit: "piece" })).toEqual({
      name: "Vis inox",
      unit: "piece",
    });
  });

  it("checks required fields and decimals before sending", () => {
    const messages = { required: "req", decimal: "dec" };
    expect(validateProduct(EMPTY_PRODUCT, messages)).toEqual({
      sku: "req",
      name: "req",
      price: "req",
      category: "req",
    });
    const values = { ...valuesFromProduct(product, "fr"), price: "12 euros", low_stock_threshold: "x" };
    expect(validateProduct(values, messages)).toEqual({ price: "dec", low_stock_threshold: "dec" });
  });

  it("quotes the version for If-Match", () => {
    expect(ifMatch(3)).toBe('"3"');
  });
});

describe("product list parameters", () => {
  it("round-trip through the URL, defaults left out", () => {
    expect(filtersToSearch(DEFAULT_FILTERS).toString()).toBe("");
    const filters = { q: "vis", status: null, category: "Quincaillerie", sort: "-price" as const };
    const search = filtersToSearch(filters);
    expect(search.toString()).toBe("q=vis&status=all&category=Quincaillerie&sort=-price");
    expect(filtersFromSearch(search)).toEqual(filters);
  });

  it("ignore values the API would refuse", () => {
    expect(filtersFromSearch(new URLSearchParams("status=deleted&sort=colour"))).toEqual(DEFAULT_FILTERS);
  });

  it("ask for keyset pages and read-your-writes", () => {
    expect(listQuery(DEFAULT_FILTERS, null)).toEqual({ limit: 25, sort: "name", status: "active" });
    expect(listQuery({ ...DEFAULT_FILTERS, q: " vis " }, "p-25", "p-1:2")).toEqual({
      limit: 25,
      sort: "name",
      status: "active",
      q: "vis",
      after: "p-25",
      min_version: "p-1:2",
    });
  });
});
