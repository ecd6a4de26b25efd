// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { LoginPage } from "./LoginPage";
import { fakeNetwork, problem, renderApp } from "../test/render";

const tokens = (mustChange: boolean) =>
  Response.json({
    access_token: "acc",
    token_type: "Bearer",
    expires_in: 900,
    refresh_token: "ref",
    refresh_expires_in: 604800,
    user: { id: "u", email: "lea@example.com", roles: ["sales"], must_change_password: mustChange },
  });

async function signIn(password: string) {
  await userEvent.type(screen.getByLabelText(/^Adresse e-mail/), "lea@example.com");
  await userEvent.type(screen.getByLabelText(/^Mot de passe/), password);
  await userEvent.click(screen.getByRole("button", { name: "Se connecter" }));
}

describe("LoginPage", () => {
  it("shows the translated message of a refused sign-in and clears the password", async () => {
    const network = fakeNetwork({ "POST /auth/login": () => problem(401, "invalid_credentials") });
    renderApp(<LoginPage />, { network, path: "/login", route: "/login" });
    await signIn("wrong");
    expect((await screen.findByRole("alert")).textContent).toBe("Adresse e-mail ou mot de passe incorrect.");
    expect((screen.getByLabelText(/^Mot de passe/) as HTMLInputElement).value).toBe("");
  });

  it("sends a person who must change the password to /password", async () => {
    const network = fakeNetwork({ "POST /auth/login": () => tokens(true) });
    const { services } = renderApp(<LoginPage />, { network, path: "/login", route: "/login" });
    await signIn("first password");
    expect(await screen.findByText("elsewhere")).toBeTruthy();
    expect(services.session.accessToken()).toBe("acc");
    const body: unknown = await network.calls[0]!.json();
    expect(body).toEqual({ email: "lea@example.com", password: "first password", session: "cookie" });
  });

  it("says why when the server cannot be reached", async () => {
    const network = Object.assign(
      async () => {
        throw new TypeError("Failed to fetch");
      },
      { calls: [] },
    );
    renderApp(<LoginPage />, { network, path: "/login", route: "/login" });
    await signIn("pw");
    expect((await screen.findByRole("alert")).textContent).toMatch(/Le serveur ne répond pas/);
  });
});
