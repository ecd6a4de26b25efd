// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { UserRow } from "../api/types";
import { UsersPage } from "./UsersPage";
import { fakeNetwork, problem, renderApp } from "../test/render";

const ID = "00000000-0000-7000-8000-000000000042";

function user(extra: Partial<UserRow> = {}): UserRow {
  return {
    id: ID,
    email: "bruno@example.com",
    display_name: "Bruno",
    roles: ["warehouse"],
    status: "active",
    must_change_password: true,
    version: 1,
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    last_login_at: null,
    ...extra,
  };
}

describe("accounts page", () => {
  it("shows the server's field error, then creates and lists the account at its version", async () => {
    let created = false;
    let attempts = 0;
    const network = fakeNetwork({
      "GET /users": () =>
        Response.json({ items: created ? [user()] : [], total: created ? 1 : 0, page: 1, limit: 25 }),
      "GET /users/00000000-0000-7000-8000-000000000042": () => Response.json(user()),
      "POST /users": () => {
        attempts += 1;
        if (attempts === 1) {
          return problem(422, "validation_failed", {
            errors: [{ field: "password", code: "too_short", message: "too short" }],
          });
        }
        created = true;
        return Response.json({ id: ID, version: 1 }, { status: 201 });
      },
    });
    renderApp(<UsersPage />, { network });
    await screen.findByText("0 compte(s)");
    await userEvent.click(screen.getByRole("button", { name: "Nouveau compte" }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByLabelText(/^Adresse e-mail/), "bruno@example.com");
    await userEvent.type(within(dialog).getByLabelText(/^Nom affiché/), "Bruno");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Entrepôt" }));
    const password = within(dialog).getByLabelText(/^Mot de passe initial/);
    await userEvent.type(password, "court");
    await userEvent.click(within(dialog).getByRole("button", { name: "Créer le compte" }));
    await waitFor(() => expect(attempts).toBe(1));
    await waitFor(() => expect(password.getAttribute("aria-invalid")).toBe("true"));

    await userEvent.clear(password);
    await userEvent.type(password, "a much longer first password");
    await userEvent.click(within(dialog).getByRole("button", { name: "Créer le compte" }));
    await screen.findByText("1 compte(s)");
    expect(screen.getByTestId("user-bruno@example.com").textContent).toContain("doit changer son mot de passe");

    const posts = network.calls.filter((r) => r.method === "POST");
    expect(await posts[1]!.json()).toEqual({
      email: "bruno@example.com",
      display_name: "Bruno",
      roles: ["warehouse"],
      password: "a much longer first password",
    });
    const detail = network.calls.find((r) => r.url.includes(`/users/${ID}`));
    expect(new URL(detail!.url).searchParams.get("min_version")).toBe("1");
  }, 20_000);
});
