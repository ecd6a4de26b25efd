// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError } from "../api/problem";
import { ProductForm } from "./ProductForm";
import { EMPTY_PRODUCT } from "./model";
import { fakeNetwork, renderApp } from "../test/render";

const validation = new ApiError(422, {
  type: "urn:gescom:problem:validation_failed",
  title: "validation failed",
  status: 422,
  code: "validation_failed",
  errors: [
    { field: "barcode", code: "invalid_check_digit", message: "check digit is wrong" },
    { field: "price", code: "too_precise", message: "at most 4 decimals" },
  ],
});

function field(name: string) {
  return screen.getByLabelText(new RegExp(`^${name}`));
}

describe("ProductForm", () => {
  it("checks required fields itself and focuses the first one in error", async () => {
    const onSubmit = vi.fn();
    renderApp(<ProductForm mode="create" initialValues={EMPTY_PRODUCT} onSubmit={onSubmit} onCancel={() => {}} />, {
      network: fakeNetwork({}),
    });
    await userEvent.click(screen.getByRole("button", { name: "Créer le produit" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getAllByText("Ce champ est obligatoire.")).toHaveLength(4);
    await waitFor(() => expect(document.activeElement).toBe(field("Référence")));
  });

  it("shows each server field error under its field, translated, and focuses the first", async () => {
    const onSubmit = vi.fn(async () => {
      throw validation;
    });
    renderApp(
      <ProductForm
        mode="create"
        initialValues={{ ...EMPTY_PRODUCT, sku: "A", name: "A", price: "1,23456", category: "C", barcode: "123" }}
        onSubmit={onSubmit}
        onCancel={() => {}}
      />,
      { network: fakeNetwork({}) },
    );
    await userEvent.click(screen.getByRole("button", { name: "Créer le produit" }));
    expect(await screen.findByText("La clé de contrôle est fausse.")).toBeTruthy();
    expect(screen.getByText("Trop de décimales.")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("Certains champs sont invalides.");
    expect(field("Code-barres").getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(field("Prix")));
  });

  it("labels every input", () => {
    renderApp(<ProductForm mode="create" initialValues={EMPTY_PRODUCT} onSubmit={vi.fn()} onCancel={() => {}} />, {
      network: fakeNetwork({}),
    });
    for (const input of document.querySelectorAll("input:not([type=hidden])")) {
      const id = input.getAttribute("id");
      expect(id && document.querySelector(`label[for="${id}"]`), `label for ${input.outerHTML}`).toBeTruthy();
    }
  });
});
