// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ProductRow } from "../api/types";
import { createServices } from "../services";
import { ProductEditPage } from "./ProductEditPage";
import { fakeNetwork, problem, renderApp, type Handler } from "../test/render";

const ID = "0193a1b2-0000-7000-8000-000000000001";
const product = (version: number, name: string): ProductRow => ({
  id: ID,
  sku: "VIS-440",
  name,
  price: "12.50",
  vat_rate: "20",
  unit: "box",
  category: "Quincaillerie",
  status: "active",
  version,
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-02T10:00:00Z",
  updated_by: "u",
  last_correlation_id: "c",
});

const signedIn: Record<string, Handler> = {
  "POST /auth/login": () =>
    Response.json({
      access_token: "acc",
      token_type: "Bearer",
      expires_in: 900,
      refresh_token: "ref",
      refresh_expires_in: 604800,
      user: { id: "u", email: "lea@example.com", roles: ["sales"], must_change_password: false },
    }),
  "GET /auth/me": () =>
    Response.json({
      id: "u",
      email: "lea@example.com",
      display_name: "Léa",
      roles: ["sales"],
      permissions: ["catalogue:read", "catalogue:write", "orders:write"],
      status: "active",
      must_change_password: false,
      version: 2,
    }),
};

async function open(routes: Record<string, Handler>) {
  const network = fakeNetwork({ ...signedIn, ...routes });
  const services = createServices(
    { commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" },
    () => "fr",
    network,
  );
  await services.session.login("lea@example.com", "pw");
  renderApp(<ProductEditPage />, { network, services, path: `/products/${ID}`, route: "/products/:id" });
  await screen.findByRole("heading", { name: "Produit VIS-440" });
  await screen.findByRole("button", { name: "Archiver" }); // permissions loaded
  return network;
}

const price = () => screen.getByLabelText(/^Prix unitaire HT/) as HTMLInputElement;
const name = () => screen.getByLabelText(/^Nom/) as HTMLInputElement;

describe("ProductEditPage", () => {
  it("sends only the changes with If-Match, then leaves for the list", async () => {
    const network = await open({
      [`GET /products/${ID}`]: () => Response.json(product(3, "Vis à bois")),
      [`PATCH /products/${ID}`]: () => Response.json({ id: ID, version: 4 }),
    });
    expect(price().value).toBe("12,50");
    await userEvent.clear(price());
    await userEvent.type(price(), "11,90");
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer" }));
    expect(await screen.findByText("elsewhere")).toBeTruthy();
    const patch = network.calls.find((r) => r.method === "PATCH")!;
    expect(patch.headers.get("if-match")).toBe('"3"');
    expect(patch.headers.get("authorization")).toBe("Bearer acc");
    expect(await patch.json()).toEqual({ price: "11.90" });
  });

  it("on 412 says someone else changed it; reload reads at the current version and starts afresh", async () => {
    let version = 3;
    const network = await open({
      [`GET /products/${ID}`]: () =>
        Response.json(version === 3 ? product(3, "Vis à bois") : product(4, "Vis à bois inox")),
      [`PATCH /products/${ID}`]: () => {
        version = 4;
        return problem(412, "version_mismatch", { current_version: 4 });
      },
    });
    await userEvent.clear(price());
    await userEvent.type(price(), "10");
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer" }));
    const conflict = await screen.findByTestId("conflict");
    expect(conflict.textContent).toContain("Quelqu'un d'autre a modifié ce produit");
    await userEvent.click(screen.getByRole("button", { name: "Recharger" }));
    await waitFor(() => expect(name().value).toBe("Vis à bois inox"));
    expect(screen.queryByTestId("conflict")).toBeNull();
    expect(price().value).toBe("12,50");
    const reads = network.calls.filter((r) => r.method === "GET" && r.url.includes(`/products/${ID}`));
    expect(new URL(reads.at(-1)!.url).searchParams.get("min_version")).toBe("4");
  });

  it("archives at the version read and shows the archived product", async () => {
    let archived = false;
    const network = await open({
      [`GET /products/${ID}`]: () =>
        Response.json({ ...product(archived ? 4 : 3, "Vis"), status: archived ? "archived" : "active" }),
      [`POST /products/${ID}/archive`]: () => {
        archived = true;
        return Response.json({ id: ID, version: 4 });
      },
    });
    await userEvent.click(screen.getByRole("button", { name: "Archiver" }));
    expect(await screen.findByText(/Ce produit est archivé/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Réactiver" })).toBeTruthy();
    const archive = network.calls.find((r) => r.url.endsWith("/archive"))!;
    expect(archive.headers.get("if-match")).toBe('"3"');
  });
});
