// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createServices } from "../services";
import { ChangePasswordPage } from "./ChangePasswordPage";
import { fakeNetwork, problem, renderApp, type Handler } from "../test/render";
import { signedInAs } from "../test/signedIn";

async function open(routes: Record<string, Handler>) {
  const network = fakeNetwork({ ...signedInAs(["sales"], ["catalogue:read"]), ...routes });
  const services = createServices(
    { commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" },
    () => "fr",
    network,
  );
  await services.session.login("u@example.com", "pw");
  renderApp(<ChangePasswordPage />, { network, services, path: "/password", route: "/password" });
  await screen.findByRole("heading", { name: "Changer le mot de passe" });
  return network;
}

async function fill() {
  await userEvent.type(screen.getByLabelText(/^Mot de passe actuel/), "the old password 2026");
  await userEvent.type(screen.getByLabelText(/^Nouveau mot de passe/), "a brand new password 2026");
  await userEvent.type(screen.getByLabelText(/^Confirmer le nouveau mot de passe/), "a brand new password 2026");
}

describe("change password", () => {
  it("meets a concurrent change of the account: a banner with reload, then the same entries send again", async () => {
    let attempts = 0;
    const network = await open({
      "POST /auth/password": () => {
        attempts += 1;
        return attempts === 1
          ? problem(409, "concurrent_modification")
          : Response.json({ access_token: "acc2", token_type: "Bearer", expires_in: 900 });
      },
    });
    await fill();
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer le mot de passe" }));
    const conflict = await screen.findByTestId("conflict");
    expect(conflict.textContent).toContain("Votre compte a été modifié au même moment");
    expect(conflict.textContent).toContain("ce que vous avez saisi est conservé");

    const meReads = () => network.calls.filter((r) => r.url.endsWith("/auth/me")).length;
    const before = meReads();
    await userEvent.click(screen.getByRole("button", { name: "Recharger" }));
    await waitFor(() => expect(screen.queryByTestId("conflict")).toBeNull());
    expect(meReads()).toBeGreaterThan(before);
    expect((screen.getByLabelText(/^Nouveau mot de passe/) as HTMLInputElement).value).toBe("a brand new password 2026");

    await userEvent.click(screen.getByRole("button", { name: "Enregistrer le mot de passe" }));
    expect(await screen.findByText("elsewhere")).toBeTruthy();
    expect(attempts).toBe(2);
  }, 20_000);

  it("puts a wrong current password under its field", async () => {
    await open({ "POST /auth/password": () => problem(422, "wrong_current_password") });
    await fill();
    await userEvent.click(screen.getByRole("button", { name: "Enregistrer le mot de passe" }));
    const current = screen.getByLabelText(/^Mot de passe actuel/);
    await waitFor(() => expect(current.getAttribute("aria-invalid")).toBe("true"));
    await waitFor(() => expect(document.activeElement).toBe(current));
    expect(screen.queryByTestId("conflict")).toBeNull();
  }, 20_000);
});
