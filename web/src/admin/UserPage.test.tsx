// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { UserRow } from "../api/types";
import { UserPage } from "./UserPage";
import { fakeNetwork, problem, renderApp } from "../test/render";

const ID = "00000000-0000-7000-8000-000000000042";

function user(version: number, extra: Partial<UserRow> = {}): UserRow {
  return {
    id: ID,
    email: "bruno@example.com",
    display_name: "Bruno",
    roles: ["warehouse"],
    status: "active",
    must_change_password: false,
    version,
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    last_login_at: null,
    ...extra,
  };
}

describe("account page", () => {
  it("sends each command with If-Match at the version read, then reads the account at the returned one", async () => {
    let current = user(3);
    const network = fakeNetwork({
      [`GET /users/${ID}`]: () => Response.json(current),
      [`PUT /users/${ID}/roles`]: async (request) => {
        const body = (await request.json()) as { roles: UserRow["roles"] };
        current = user(4, { roles: body.roles });
        return Response.json({ id: ID, version: 4 });
      },
      [`POST /users/${ID}/disable`]: () => {
        current = user(5, { roles: current.roles, status: "disabled" });
        return Response.json({ id: ID, version: 5 });
      },
      [`POST /users/${ID}/password`]: () =>
        problem(422, "validation_failed", {
          errors: [{ field: "new_password", code: "too_short", message: "too short" }],
        }),
    });
    renderApp(<UserPage />, { network, path: `/admin/users/${ID}`, route: "/admin/users/:id" });
    await screen.findByRole("heading", { name: "Bruno", level: 1 });

    await userEvent.click(screen.getByRole("checkbox", { name: "Analyste" }));
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer les rôles" }));
    await waitFor(() =>
      expect(network.calls.some((r) => new URL(r.url).searchParams.get("min_version") === "4")).toBe(true),
    );
    await waitFor(() => expect(screen.getByRole("button", { name: "Enregistrer les rôles" })).toBeTruthy());
    await userEvent.click(screen.getByRole("button", { name: "Désactiver le compte" }));
    await screen.findByRole("button", { name: "Réactiver le compte" });

    const writes = network.calls.filter((r) => r.method !== "GET");
    expect(writes.map((r) => [r.method, new URL(r.url).pathname, r.headers.get("if-match")])).toEqual([
      ["PUT", `/api/command/users/${ID}/roles`, '"3"'],
      ["POST", `/api/command/users/${ID}/disable`, '"4"'],
    ]);
    expect(await writes[0]!.json()).toEqual({ roles: ["warehouse", "analyst"] });
    const reads = network.calls
      .filter((r) => r.method === "GET")
      .map((r) => new URL(r.url).searchParams.get("min_version"));
    expect(reads).toEqual(expect.arrayContaining(["4", "5"]));

    // A refused temporary password: the field says why.
    const password = screen.getByLabelText(/^Nouveau mot de passe provisoire/);
    await userEvent.type(password, "court");
    await userEvent.click(screen.getByRole("button", { name: "Réinitialiser le mot de passe" }));
    await waitFor(() => expect(password.getAttribute("aria-invalid")).toBe("true"));
  }, 20_000);

  it("on 412 says someone else changed the account; reload reads it at the current version", async () => {
    let current = user(3);
    const network = fakeNetwork({
      [`GET /users/${ID}`]: () => Response.json(current),
      [`POST /users/${ID}/disable`]: () => {
        // A colleague changed the roles meanwhile.
        current = user(4, { roles: ["warehouse", "sales"] });
        return problem(412, "version_mismatch", { current_version: 4 });
      },
    });
    renderApp(<UserPage />, { network, path: `/admin/users/${ID}`, route: "/admin/users/:id" });
    await screen.findByRole("heading", { name: "Bruno", level: 1 });
    await userEvent.click(screen.getByRole("button", { name: "Désactiver le compte" }));
    const conflict = await screen.findByTestId("conflict");
    expect(conflict.textContent).toContain("Quelqu'un d'autre a modifié ce compte");
    await userEvent.click(screen.getByRole("button", { name: "Recharger" }));
    await waitFor(() => expect(screen.queryByTestId("conflict")).toBeNull());
    await waitFor(() =>
      expect((screen.getByRole("checkbox", { name: "Ventes" }) as HTMLInputElement).checked).toBe(true),
    );
    expect(screen.getByTestId("version").textContent).toMatch(/^Version 4,/);
    const reads = network.calls.filter((r) => r.method === "GET").map((r) => new URL(r.url).searchParams.get("min_version"));
    expect(reads.at(-1)).toBe("4");
  }, 20_000);
});
