import { describe, expect, it } from "vitest";
import { ApiError } from "../api/problem";
import { fieldMessage, problemMessage } from "./errors";
import {
  decimalForInput,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
  formatPercent,
  parseDecimalInput,
} from "./format";
import { en, fr, interpolate } from "./messages";

const error = (code: string, detail?: string) =>
  new ApiError(400, { type: "t", title: `title of ${code}`, status: 400, code: code as never, ...(detail ? { detail } : {}) });

describe("messages", () => {
  it("has every key in both languages, none empty", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    for (const table of [fr, en]) for (const text of Object.values(table)) expect(text.trim()).not.toBe("");
  });

  it("interpolates named placeholders", () => {
    expect(interpolate("Produit {sku} créé.", { sku: "VIS-440" })).toBe("Produit VIS-440 créé.");
    expect(interpolate("{a} {b}", { a: 1 })).toBe("1 {b}");
  });
});

describe("error messages", () => {
  it("translate a problem from its code", () => {
    expect(problemMessage(error("invalid_credentials"), "fr")).toBe("Adresse e-mail ou mot de passe incorrect.");
    expect(problemMessage(error("invalid_credentials"), "en")).toBe("Wrong email address or password.");
    expect(problemMessage(error("projection_lagging"), "fr")).toMatch(/Mise à jour en cours/);
  });

  it("fall back to the server's detail, then its title, for an unknown code", () => {
    expect(problemMessage(error("brand_new_code", "what went wrong"), "fr")).toBe("what went wrong");
    expect(problemMessage(error("brand_new_code"), "fr")).toBe("title of brand_new_code");
  });

  it("give a generic message for anything that is not an API error", () => {
    expect(problemMessage(new Error("boom"), "en")).toBe("Internal server error. Try again later.");
  });

  it("translate field errors by code, else show the server's message", () => {
    expect(fieldMessage("invalid_check_digit", "check digit is wrong", "fr")).toBe("La clé de contrôle est fausse.");
    expect(fieldMessage("something_new", "server says no", "fr")).toBe("server says no");
    expect(fieldMessage("invalid_siret", "this SIRET's check digit is wrong", "fr")).toBe(
      "SIRET invalide : 14 chiffres, dont une clé de contrôle juste.",
    );
    expect(fieldMessage("invalid_siret", "this SIRET's check digit is wrong", "en")).toBe(
      "Invalid SIRET: 14 digits with a correct check digit.",
    );
  });
});

describe("French formats", () => {
  it("money", () => {
    expect(formatMoney("1234.5", "fr")).toMatch(/^1\s234,50\s€$/);
    expect(formatMoney("12.50", "en")).toBe("€12.50");
    expect(formatMoney("not a number", "fr")).toBe("not a number");
  });

  it("numbers and percentages", () => {
    expect(formatNumber("1234567.125", "fr")).toMatch(/^1\s234\s567,125$/);
    expect(formatPercent("5.5", "fr")).toMatch(/^5,5\s%$/);
    expect(formatPercent("20", "en")).toBe("20%");
  });

  it("dates in Paris time", () => {
    expect(formatDateTime("2026-12-03T16:05:00Z", "fr")).toBe("03/12/2026 17:05");
    expect(formatDate("2026-07-14", "fr")).toBe("14 juil. 2026");
    expect(formatDate("2026-07-14", "en")).toBe("14 Jul 2026");
  });

  it("decimals typed the French way become API decimals", () => {
    expect(parseDecimalInput("12,50")).toBe("12.50");
    expect(parseDecimalInput(" 1 234,5 ")).toBe("1234.5");
    expect(parseDecimalInput("1\u202f234,5")).toBe("1234.5");
    expect(parseDecimalInput("12.5")).toBe("12.5");
    expect(parseDecimalInput("12,5,0")).toBeNull();
    expect(parseDecimalInput("abc")).toBeNull();
    expect(decimalForInput("12.50", "fr")).toBe("12,50");
    expect(decimalForInput("12.50", "en")).toBe("12.50");
  });
});
