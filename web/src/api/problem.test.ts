import { describe, expect, it } from "vitest";
import createClient from "openapi-fetch";
import type { paths } from "./generated/read-api";
import { ApiError, isApiError, toApiError, unwrap, NETWORK_ERROR } from "./problem";

const problemResponse = (status: number, body: object) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/problem+json" } });

describe("unwrap", () => {
  it("returns the typed data of a success", async () => {
    const client = createClient<paths>({
      baseUrl: "http://read",
      fetch: async () => Response.json({ items: [], total: 0, page: 1, limit: 25 }),
    });
    const { data } = await unwrap(client.GET("/products", { params: { query: { limit: 25 } } }));
    expect(data.total).toBe(0);
  });

  it("throws the server's problem with its field errors", async () => {
    const client = createClient<paths>({
      baseUrl: "http://read",
      fetch: async () =>
        problemResponse(422, {
          type: "urn:gescom:problem:validation_failed",
          title: "validation failed",
          status: 422,
          code: "validation_failed",
          errors: [{ field: "price", code: "negative", message: "must not be negative" }, { junk: 1 }],
        }),
    });
    const error = await unwrap(client.GET("/products")).catch((e: unknown) => e);
    expect(isApiError(error, "validation_failed")).toBe(true);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(422);
    expect(apiError.fieldErrors).toEqual([{ field: "price", code: "negative", message: "must not be negative" }]);
  });

  it("keeps code-specific members (current_version on a 412)", () => {
    const error = toApiError(new Response(null, { status: 412 }), {
      type: "t",
      title: "version mismatch",
      status: 412,
      code: "version_mismatch",
      current_version: 7,
    });
    expect(error.extra("current_version")).toBe(7);
  });

  it("makes a problem of an answer that is not one (a proxy's 502 page)", () => {
    const error = toApiError(new Response("Bad Gateway", { status: 502, statusText: "Bad Gateway" }), "<html>");
    expect(error.code).toBe("internal");
    expect(error.status).toBe(502);
  });

  it("turns a network failure into network_error", async () => {
    const client = createClient<paths>({
      baseUrl: "http://read",
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    const error = await unwrap(client.GET("/products")).catch((e: unknown) => e);
    expect(isApiError(error, NETWORK_ERROR)).toBe(true);
    expect((error as ApiError).status).toBe(0);
  });
});
