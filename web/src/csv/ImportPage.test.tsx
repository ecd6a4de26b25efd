// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createServices } from "../services";
import { fakeNetwork, problem, renderApp } from "../test/render";
import { signedInAs } from "../test/signedIn";
import { ImportPage } from "./ImportPage";

const FILE = { encoding: "UTF-8", encoding_from: "default", separator: ";", line_endings: "LF" };

async function open(routes: Parameters<typeof fakeNetwork>[0]) {
  const network = fakeNetwork({ ...signedInAs(["sales"], ["catalogue:read", "catalogue:write"]), ...routes });
  const services = createServices({ commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" }, () => "fr", network);
  await services.session.login("u@example.com", "pw");
  renderApp(<ImportPage kind="customers" />, { network, services });
  const input = document.querySelector<HTMLInputElement>('input[type="file"]');
  if (!input) throw new Error("no file input");
  await userEvent.upload(input, new File(["code;legal_name\nACME;Acme\n"], "c.csv", { type: "text/csv" }));
  return network;
}

describe("CSV import", () => {
  it("checks with a dry run, shows the report, then imports the same file", async () => {
    const network = await open({
      "POST /customers/import": (request) => {
        const dry = new URL(request.url).searchParams.get("dry_run") === "true";
        return Response.json({
          dry_run: dry,
          applied: !dry,
          file: FILE,
          counts: { created: 1, updated: 0, unchanged: 0, error: 0 },
          rows: [{ line: 2, key: "ACME", status: "created" }],
        });
      },
    });
    const confirm = screen.getByRole("button", { name: "Confirmer l'import" });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Vérifier (essai à blanc)" }));
    const report = await screen.findByTestId("import-report");
    expect(within(report).getByText("ACME")).toBeTruthy();
    expect(within(report).getByText("Créé")).toBeTruthy();
    await waitFor(() => expect((confirm as HTMLButtonElement).disabled).toBe(false));
    await userEvent.click(confirm);
    await screen.findByText("Import effectué.");
    const posts = network.calls.filter((c) => c.method === "POST" && c.url.includes("/customers/import"));
    expect(posts.map((c) => new URL(c.url).searchParams.get("dry_run"))).toEqual(["true", "false"]);
    expect(posts[1]!.headers.get("content-type")).toBe("text/csv");
    expect(await posts[1]!.text()).toBe("code;legal_name\nACME;Acme\n");
  });

  it("shows the rows in error of a refused file (422 import_invalid) and cannot confirm", async () => {
    await open({
      "POST /customers/import": () =>
        problem(422, "import_invalid", {
          report: {
            dry_run: true,
            applied: false,
            file: FILE,
            counts: { created: 0, updated: 0, unchanged: 0, error: 1 },
            rows: [{ line: 2, key: "ACME", status: "error", errors: [{ field: "siret", code: "invalid_siret", message: "bad SIRET" }] }],
          },
        }),
    });
    await userEvent.click(screen.getByRole("button", { name: "Vérifier (essai à blanc)" }));
    const report = await screen.findByTestId("import-report");
    expect(within(report).getByText("siret")).toBeTruthy();
    expect(within(report).getByText("Erreur")).toBeTruthy();
    expect(screen.getByText("Le fichier contient des erreurs : corrigez-les puis vérifiez à nouveau.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Confirmer l'import" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
