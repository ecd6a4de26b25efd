import { describe, expect, it } from "vitest";
import { ApiError } from "../api/problem";
import type { FieldError } from "../api/types";
import { formProblem } from "./formErrors";
import { RecentWrites } from "./recentWrites";
import { LAGGING_RETRIES, shouldRetry } from "./queryClient";
import { CREDIT_NOTE_WRITERS, INVOICE_READERS, INVOICE_WRITERS, can, hasRole, homePath, visibleMenu } from "../auth/permissions";

const apiError = (status: number, code: string, errors?: { field: string; code: string; message: string }[]) =>
  new ApiError(status, { type: "t", title: code, status, code: code as never, // A code unknown to this build is cast on purpose: a newer server may send one.
  ...(errors ? { errors: errors as FieldError[] } : {}) });

describe("formProblem", () => {
  it("puts each field error on its field, the first one per field, and keeps the others", () => {
    const error = apiError(422, "validation_failed", [
      { field: "price", code: "negative", message: "negative" },
      { field: "price", code: "too_precise", message: "too precise" },
      { field: "new_password", code: "password_too_short", message: "at least 12" },
      { field: "colour", code: "unknown", message: "no such field" },
    ]);
    const problem = formProblem(error, ["price", "next"], (code) => `t:${code}`, { new_password: "next" });
    expect(problem.fields).toEqual({ price: "t:negative", next: "t:password_too_short" });
    expect(problem.unmatched).toEqual([{ field: "colour", code: "unknown", message: "no such field" }]);
  });

  it("has nothing for an error without field errors", () => {
    expect(formProblem(new Error("x"), ["a"], (c) => c)).toEqual({ fields: {}, unmatched: [], onField: false });
  });

  it("says a taken unique value under its field, not in a banner", () => {
    const taken = apiError(409, "customer_code_taken");
    const said = (e: unknown) => `said:${(e as ApiError).code}`;
    expect(formProblem(taken, ["code", "legal_name"], (c) => c, {}, said)).toEqual({
      fields: { code: "said:customer_code_taken" },
      unmatched: [],
      onField: true,
    });
    // A form without that field keeps the banner.
    expect(formProblem(taken, ["legal_name"], (c) => c, {}, said).onField).toBe(false);
  });
});

describe("RecentWrites", () => {
  it("remembers the highest version per aggregate and the last write for lists", () => {
    const writes = new RecentWrites();
    expect(writes.listMinVersion("product")).toBeUndefined();
    writes.record("product", "a", 2);
    writes.record("product", "b", 1);
    writes.record("product", "a", 1); // late answer of an older command
    expect(writes.versionOf("a")).toBe(2);
    expect(writes.listMinVersion("product")).toBe("b:1");
    writes.clear();
    expect(writes.versionOf("a")).toBeUndefined();
    expect(writes.listMinVersion("product")).toBeUndefined();
  });
});

describe("retry policy", () => {
  it("waits for a lagging projection, retries outages twice, never retries an answer", () => {
    expect(shouldRetry(0, apiError(504, "projection_lagging"))).toBe(true);
    expect(shouldRetry(LAGGING_RETRIES, apiError(504, "projection_lagging"))).toBe(false);
    expect(shouldRetry(1, apiError(503, "unavailable"))).toBe(true);
    expect(shouldRetry(2, apiError(503, "unavailable"))).toBe(false);
    expect(shouldRetry(0, apiError(404, "product_not_found"))).toBe(false);
    expect(shouldRetry(0, apiError(403, "forbidden"))).toBe(false);
  });
});

describe("menu", () => {
  it("shows only what the permissions open", () => {
    expect(visibleMenu(["catalogue:read"]).map((i) => i.to)).toEqual(["/products", "/customers", "/orders", "/stock"]);
    // The dashboard also needs the admin or analyst role.
    expect(visibleMenu(["catalogue:read"], ["analyst"]).map((i) => i.to)).toContain("/dashboard");
    expect(visibleMenu(["catalogue:read", "orders:write"], ["sales"]).map((i) => i.to)).not.toContain("/dashboard");
    // Invoices and receivables: admin, sales and analyst, as the API grants them; not the warehouse.
    for (const role of ["admin", "sales", "analyst"])
      expect(visibleMenu(["catalogue:read"], [role]).map((i) => i.to)).toEqual(expect.arrayContaining(["/invoices", "/receivables"]));
    const warehouse = visibleMenu(["catalogue:read", "stock:write"], ["warehouse"]).map((i) => i.to);
    expect(warehouse).not.toContain("/invoices");
    expect(warehouse).not.toContain("/receivables");
    expect(hasRole(["sales"], INVOICE_WRITERS)).toBe(true);
    expect(hasRole(["sales"], CREDIT_NOTE_WRITERS)).toBe(false);
    expect(hasRole(["analyst"], INVOICE_WRITERS)).toBe(false);
    expect(hasRole(undefined, INVOICE_READERS)).toBe(false);
    expect(visibleMenu([])).toEqual([]);
    expect(visibleMenu(undefined)).toEqual([]);
    expect(can(["catalogue:read"], "catalogue:write")).toBe(false);
    expect(homePath(["catalogue:read"])).toBe("/products");
    expect(homePath([])).toBe("/password");
  });
});
