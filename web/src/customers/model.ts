// The customer form's values and the API bodies made from them.
import { decimalForInput, parseDecimalInput } from "../i18n/format";
import type { Lang } from "../i18n/messages";
import type { CustomerInput, CustomerRow, PaymentTerms } from "./api";

export interface AddressValues {
  line1: string;
  line2: string;
  postal_code: string;
  city: string;
  country: string;
}

export interface CustomerFormValues {
  code: string;
  legal_name: string;
  siren: string;
  siret: string;
  vat_number: string;
  email: string;
  phone: string;
  payment_terms: PaymentTerms;
  credit_limit: string;
  billing_address: AddressValues;
  shipping_address: AddressValues;
}

const SCALARS = ["code", "legal_name", "siren", "siret", "vat_number", "email", "phone", "credit_limit"] as const;
const ADDRESS_FIELDS = ["line1", "line2", "postal_code", "city", "country"] as const;

/** Every form field, as the API names them in `errors[].field`. */
export const CUSTOMER_FIELDS: readonly string[] = [
  ...SCALARS,
  "payment_terms",
  ...ADDRESS_FIELDS.map((f) => `billing_address.${f}`),
  ...ADDRESS_FIELDS.map((f) => `shipping_address.${f}`),
];

const EMPTY_ADDRESS: AddressValues = { line1: "", line2: "", postal_code: "", city: "", country: "FR" };

export const EMPTY_CUSTOMER: CustomerFormValues = {
  code: "",
  legal_name: "",
  siren: "",
  siret: "",
  vat_number: "",
  email: "",
  phone: "",
  payment_terms: "net_30",
  credit_limit: "",
  billing_address: EMPTY_ADDRESS,
  shipping_address: { ...EMPTY_ADDRESS, country: "" },
};

function addressValues(a: CustomerRow["billing_address"] | undefined, country = "FR"): AddressValues {
  if (!a) return { ...EMPTY_ADDRESS, country };
  return { line1: a.line1, line2: a.line2 ?? "", postal_code: a.postal_code, city: a.city, country: a.country };
}

export function valuesFromCustomer(c: CustomerRow, lang: Lang): CustomerFormValues {
  return {
    code: c.code,
    legal_name: c.legal_name,
    siren: c.siren ?? "",
    siret: c.siret ?? "",
    vat_number: c.vat_number ?? "",
    email: c.email ?? "",
    phone: c.phone ?? "",
    payment_terms: c.payment_terms,
    credit_limit: c.credit_limit ? decimalForInput(c.credit_limit, lang) : "",
    billing_address: addressValues(c.billing_address),
    shipping_address: addressValues(c.shipping_address, c.shipping_address ? "FR" : ""),
  };
}

function isBlank(a: AddressValues): boolean {
  return !a.line1.trim() && !a.line2.trim() && !a.postal_code.trim() && !a.city.trim();
}

function addressBody(a: AddressValues) {
  if (isBlank(a)) return null;
  return {
    line1: a.line1.trim(),
    line2: a.line2.trim() || null,
    postal_code: a.postal_code.trim(),
    city: a.city.trim(),
    country: a.country.trim().toUpperCase(),
  };
}

function scalar(values: CustomerFormValues, name: (typeof SCALARS)[number]): string | null {
  const raw = values[name].trim();
  if (!raw) return null;
  if (name === "credit_limit") return parseDecimalInput(raw) ?? raw;
  if (name === "siren" || name === "siret") return raw.replace(/\s+/g, "");
  return raw;
}

/** A creation: every filled field. */
export function createBody(values: CustomerFormValues): CustomerInput {
  const body: CustomerInput = { payment_terms: values.payment_terms };
  for (const name of SCALARS) {
    const v = scalar(values, name);
    if (v !== null) body[name] = v;
  }
  const billing = addressBody(values.billing_address);
  if (billing) body.billing_address = billing;
  const shipping = addressBody(values.shipping_address);
  if (shipping) body.shipping_address = shipping;
  return body;
}

/** An update: the changed fields only; a field emptied is sent as null (cleared). */
export function updateBody(before: CustomerFormValues, values: CustomerFormValues): CustomerInput {
  const body: CustomerInput = {};
  for (const name of SCALARS) {
    if (values[name].trim() !== before[name].trim()) body[name] = scalar(values, name);
  }
  if (values.payment_terms !== before.payment_terms) body.payment_terms = values.payment_terms;
  for (const key of ["billing_address", "shipping_address"] as const) {
    if (JSON.stringify(values[key]) !== JSON.stringify(before[key])) body[key] = addressBody(values[key]);
  }
  return body;
}

export function validateCustomer(
  values: CustomerFormValues,
  messages: { required: string; decimal: string },
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!values.code.trim()) errors.code = messages.required;
  if (!values.legal_name.trim()) errors.legal_name = messages.required;
  if (values.credit_limit.trim() && parseDecimalInput(values.credit_limit) === null)
    errors.credit_limit = messages.decimal;
  for (const key of ["billing_address", "shipping_address"] as const) {
    const a = values[key];
    if (isBlank(a)) continue;
    for (const f of ["line1", "postal_code", "city", "country"] as const) {
      if (!a[f].trim()) errors[`${key}.${f}`] = messages.required;
    }
  }
  return errors;
}

/**
 * The SIREN a SIRET starts with, to fill an empty SIREN field (its check digit is the
 * server's to judge); null when there is nothing to fill.
 */
export function sirenFromSiret(siret: string, siren: string): string | null {
  if (siren.trim() !== "") return null;
  const digits = siret.replace(/[\s.]/g, "");
  return /^\d{14}$/.test(digits) ? digits.slice(0, 9) : null;
}
