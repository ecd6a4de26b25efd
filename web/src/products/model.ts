// The product form's values (what a person types) and the API bodies made from them.
import type { CreateProduct, ProductRow, Unit, UpdateProduct } from "../api/types";
import { decimalForInput, parseDecimalInput } from "../i18n/format";
import type { Lang } from "../i18n/messages";

export const UNITS: readonly Unit[] = [
  "piece",
  "kg",
  "g",
  "m",
  "m2",
  "m3",
  "l",
  "hour",
  "day",
  "box",
  "pack",
];

/** Metropolitan France's rates, the server's default list (GESCOM_VAT_RATES). */
export const VAT_RATES = ["20", "10", "5.5", "2.1", "0"] as const;

export interface ProductFormValues {
  sku: string;
  name: string;
  price: string;
  vat_rate: string;
  unit: Unit;
  category: string;
  barcode: string;
  low_stock_threshold: string;
}

export const PRODUCT_FIELDS = [
  "sku",
  "name",
  "price",
  "vat_rate",
  "unit",
  "category",
  "barcode",
  "low_stock_threshold",
] as const satisfies readonly (keyof ProductFormValues)[];

export const EMPTY_PRODUCT: ProductFormValues = {
  sku: "",
  name: "",
  price: "",
  vat_rate: "20",
  unit: "piece",
  category: "",
  barcode: "",
  low_stock_threshold: "",
};

export function valuesFromProduct(product: ProductRow, lang: Lang): ProductFormValues {
  return {
    sku: product.sku,
    name: product.name,
    price: decimalForInput(product.price, lang),
    vat_rate: product.vat_rate,
    unit: product.unit,
    category: product.category,
    barcode: product.barcode ?? "",
    low_stock_threshold: product.low_stock_threshold
      ? decimalForInput(product.low_stock_threshold, lang)
      : "",
  };
}

/** A decimal as sent: normalised when it reads as a number, else as typed (the server says why). */
function decimal(input: string): string {
  return parseDecimalInput(input) ?? input.trim();
}

function optional(input: string): string | null {
  const trimmed = input.trim();
  return trimmed ? trimmed : null;
}

export function createBody(values: ProductFormValues): CreateProduct {
  const threshold = optional(values.low_stock_threshold);
  return {
    sku: values.sku.trim(),
    name: values.name.trim(),
    price: decimal(values.price),
    vat_rate: values.vat_rate,
    unit: values.unit,
    category: values.category.trim(),
    barcode: optional(values.barcode),
    low_stock_threshold: threshold === null ? null : decimal(threshold),
  };
}

/** Same decimal value? "12.5" and "12.50" are. */
function sameDecimal(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return a == b;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) ? x === y : a === b;
}

/**
 * Only what changed, for PATCH: absent fields stay as they are; an optional field emptied
 * is sent as null (cleared). The SKU never changes.
 */
export function updateBody(product: ProductRow, values: ProductFormValues): UpdateProduct {
  const next = createBody(values);
  const body: UpdateProduct = {};
  if (next.name !== product.name) body.name = next.name;
  if (!sameDecimal(next.price, product.price)) body.price = next.price;
  if (!sameDecimal(next.vat_rate, product.vat_rate)) body.vat_rate = next.vat_rate;
  if (next.unit !== product.unit) body.unit = next.unit;
  if (next.category !== product.category) body.category = next.category;
  if ((next.barcode ?? null) !== (product.barcode ?? null)) body.barcode = next.barcode ?? null;
  if (!sameDecimal(next.low_stock_threshold ?? null, product.low_stock_threshold ?? null)) {
    body.low_stock_threshold = next.low_stock_threshold ?? null;
  }
  return body;
}

/** Client-side checks before sending: required fields and decimals. The server checks the rest. */
export function validateProduct(
  values: ProductFormValues,
  messages: { required: string; decimal: string },
): Partial<Record<keyof ProductFormValues, string>> {
  const errors: Partial<Record<keyof ProductFormValues, string>> = {};
  for (const field of ["sku", "name", "price", "category"] as const) {
    if (!values[field].trim()) errors[field] = messages.required;
  }
  if (values.price.trim() && parseDecimalInput(values.price) === null) errors.price = messages.decimal;
  if (values.low_stock_threshold.trim() && parseDecimalInput(values.low_stock_threshold) === null) {
    errors.low_stock_threshold = messages.decimal;
  }
  return errors;
}

/** The `If-Match` header for a version read. */
export function ifMatch(version: number): string {
  return `"${version}"`;
}
