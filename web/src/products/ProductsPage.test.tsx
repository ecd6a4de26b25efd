// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ProductRow } from "../api/types";
import { ProductsPage } from "./ProductsPage";
import { fakeNetwork, problem, renderApp } from "../test/render";

function row(n: number): ProductRow {
  const id = `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`;
  return {
    id,
    sku: `SKU-${n}`,
    name: `Produit ${n}`,
    price: "1234.5",
    vat_rate: "5.5",
    unit: "piece",
    category: "Cat",
    status: "active",
    version: 1,
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    updated_by: "u",
    last_correlation_id: "c",
  };
}

/** 30 products, 25 a page, keyset: `after` is the last id of the previous page. */
function catalogue() {
  const all = Array.from({ length: 30 }, (_, i) => row(i + 1));
  return fakeNetwork({
    "GET /products": (request) => {
      const query = new URL(request.url).searchParams;
      const after = query.get("after");
      const start = after ? all.findIndex((p) => p.id === after) + 1 : 0;
      const items = all.slice(start, start + 25);
      const full = items.length === 25;
      return Response.json({
        items,
        total: all.length,
        page: 1,
        limit: 25,
        next_after: full ? items[items.length - 1]!.id : null,
      });
    },
  });
}

const listCalls = (network: ReturnType<typeof fakeNetwork>) =>
  network.calls.map((r) => new URL(r.url)).filter((u) => u.pathname.endsWith("/products"));

describe("ProductsPage", () => {
  it("pages forward with the server's cursor and back without it, in French formats", async () => {
    const network = catalogue();
    renderApp(<ProductsPage />, { network, path: "/products", route: "/products" });
    expect(await screen.findByText("30 produit(s)")).toBeTruthy();
    expect(screen.getAllByText(/^1\s234,50\s€$/)).toHaveLength(25);
    expect(screen.getAllByText(/^5,5\s%$/)).toHaveLength(25);

    await userEvent.click(screen.getByRole("button", { name: "Page suivante" }));
    expect(await screen.findByText("Produit 30")).toBeTruthy();
    expect(screen.getByText("Page 2")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Page suivante" }) as HTMLButtonElement).disabled).toBe(true);
    const second = listCalls(network).at(-1)!;
    expect(second.searchParams.get("after")).toBe(row(25).id);
    expect(second.searchParams.get("page")).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Page précédente" }));
    expect(await screen.findByText("Produit 1")).toBeTruthy();
    expect(screen.getByText("Page 1")).toBeTruthy();
  });

  it("starts again from the first page when a filter changes", async () => {
    const network = catalogue();
    renderApp(<ProductsPage />, { network, path: "/products", route: "/products" });
    await screen.findByText("30 produit(s)");
    await userEvent.click(screen.getByRole("button", { name: "Page suivante" }));
    await screen.findByText("Page 2");

    await userEvent.click(screen.getByRole("combobox", { name: "Trier par" }));
    await userEvent.click(await screen.findByRole("option", { name: "Prix décroissant", hidden: true }));
    await waitFor(() => expect(listCalls(network).at(-1)!.searchParams.get("sort")).toBe("-price"));
    const last = listCalls(network).at(-1)!;
    expect(last.searchParams.get("after")).toBeNull();
    expect(screen.getByText("Page 1")).toBeTruthy();
  });

  it("says 'still updating' while the projection lags, then shows the rows", async () => {
    let lagging = 1;
    const ready = catalogue();
    const network = fakeNetwork({
      "GET /products": (request) =>
        lagging-- > 0 ? problem(504, "projection_lagging") : ready(request),
    });
    renderApp(<ProductsPage />, { network, path: "/products", route: "/products" });
    expect((await screen.findByTestId("still-updating")).textContent).toMatch(/Mise à jour en cours/);
    expect(await screen.findByText("30 produit(s)")).toBeTruthy();
    expect(screen.queryByTestId("still-updating")).toBeNull();
  });
});
