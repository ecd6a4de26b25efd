import { describe, expect, it } from "vitest";
import { EMPTY_CUSTOMER, createBody, sirenFromSiret, updateBody, validateCustomer } from "./model";

const filled = {
  ...EMPTY_CUSTOMER,
  code: "ACME",
  legal_name: "Acme SARL",
  siret: "732 829 320 00074",
  credit_limit: "15 000,50",
  billing_address: { line1: "1 rue de la Paix", line2: "", postal_code: "75002", city: "Paris", country: "fr" },
};

describe("customer bodies", () => {
  it("creates with the filled fields, decimals and SIRET normalised", () => {
    const body = createBody(filled);
    expect(body).toMatchObject({ code: "ACME", legal_name: "Acme SARL", siret: "73282932000074", payment_terms: "net_30" });
    expect(body.credit_limit).toBe("15000.50");
    expect(body.billing_address).toEqual({ line1: "1 rue de la Paix", line2: null, postal_code: "75002", city: "Paris", country: "FR" });
    expect(body.shipping_address).toBeUndefined();
    expect(body.email).toBeUndefined();
  });

  it("updates only what changed; an emptied field or address is null", () => {
    const after = { ...filled, siret: "", legal_name: "Acme SAS", billing_address: { ...filled.billing_address, line1: "", postal_code: "", city: "" } };
    expect(updateBody(filled, after)).toEqual({ legal_name: "Acme SAS", siret: null, billing_address: null });
    expect(updateBody(filled, filled)).toEqual({});
  });

  it("requires code, name and a started address's fields", () => {
    const errors = validateCustomer(
      { ...EMPTY_CUSTOMER, shipping_address: { ...EMPTY_CUSTOMER.shipping_address, city: "Lyon" } },
      { required: "R", decimal: "D" },
    );
    expect(errors).toMatchObject({ code: "R", legal_name: "R", "shipping_address.line1": "R", "shipping_address.country": "R" });
  });
});

describe("the SIREN from a SIRET", () => {
  it("fills an empty SIREN with the SIRET's first 9 digits, spaces ignored", () => {
    expect(sirenFromSiret("732 829 320 00074", "")).toBe("732829320");
    expect(sirenFromSiret("73282932000074", " ")).toBe("732829320");
  });
  it("leaves a typed SIREN and an incomplete SIRET alone", () => {
    expect(sirenFromSiret("73282932000074", "552100554")).toBeNull();
    expect(sirenFromSiret("7328293200007", "")).toBeNull();
    expect(sirenFromSiret("", "")).toBeNull();
  });
});
