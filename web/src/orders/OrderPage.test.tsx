// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createServices } from "../services";
import { fakeNetwork, problem, renderApp } from "../test/render";
import { signedInAs } from "../test/signedIn";
import { OrderPage } from "./OrderPage";
import type { OrderDetail } from "./api";

const ID = "0193a1b2-0000-7000-8000-0000000000aa";
const line = (line_no: number, sku: string, product_id: string, quantity: string, net: string) => ({
  line_no,
  product_id,
  sku,
  label: sku,
  unit: "piece" as const,
  quantity,
  unit_price: "4.00",
  discount: "0",
  vat_rate: "20",
  net,
});
const order: OrderDetail = {
  id: ID,
  number: "PRO-2026-000007",
  status: "draft",
  customer_id: "c1",
  customer_code: "ACME",
  customer_name: "Acme",
  line_count: 2,
  total_net: "28.00",
  total_vat: "5.60",
  total_gross: "33.60",
  vat_lines: [{ rate: "20", base: "28.00", amount: "5.60" }],
  version: 4,
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
  lines: [line(1, "VIS-1", "p1", "2", "8.00"), line(2, "CHEV-2", "p2", "5", "20.00")],
};

describe("order editor", () => {
  it("shows the server's totals, submits at the version shown and puts shortages on their lines", async () => {
    const network = fakeNetwork({
      ...signedInAs(["sales"], ["catalogue:read", "catalogue:write", "orders:write"]),
      [`GET /orders/${ID}`]: () => Response.json(order),
      "GET /customers": () => Response.json({ items: [], total: 0, page: 1, limit: 20 }),
      "GET /customers/c1": () => Response.json({ id: "c1", code: "ACME", legal_name: "Acme" }),
      "GET /products": () => Response.json({ items: [], total: 0, page: 1, limit: 20 }),
      [`POST /orders/${ID}/submit`]: () =>
        problem(422, "insufficient_stock", {
          shortages: [{ product_id: "p2", sku: "CHEV-2", requested: "5", available: "2" }],
        }),
    });
    const services = createServices({ commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" }, () => "fr", network);
    await services.session.login("u@example.com", "pw");
    renderApp(<OrderPage />, { network, services, path: `/orders/${ID}`, route: "/orders/:id" });
    await screen.findByRole("heading", { name: "Commande PRO-2026-000007" });
    expect(screen.getByTestId("total-gross").textContent).toMatch(/33,60/);

    await userEvent.click(await screen.findByRole("button", { name: "Valider la commande" }));
    const shortage = await screen.findByTestId("shortage-CHEV-2");
    expect(shortage.textContent).toBe("Stock insuffisant : 5 demandé(s), 2 disponible(s).");
    expect(screen.queryByTestId("shortage-VIS-1")).toBeNull();
    expect(within(screen.getByTestId("line-CHEV-2")).getByLabelText("Quantité de CHEV-2").getAttribute("aria-invalid")).toBe("true");
    const submit = network.calls.find((c) => c.url.endsWith(`/orders/${ID}/submit`));
    expect(submit?.headers.get("if-match")).toBe('"4"');
  });
});
