// Renders a piece of the app with every provider, against a fake network.
import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes } from "react-router";
import { I18nProvider } from "../i18n/I18nProvider";
import { ServicesProvider } from "../ServicesContext";
import { createServices, type Services } from "../services";
import { createQueryClient } from "../lib/queryClient";
import type { Fetch } from "../api/clients";

export type Handler = (request: Request) => Response | Promise<Response>;

/** A fake network answering by "METHOD /path" (the API prefix stripped), 404 otherwise. */
export function fakeNetwork(routes: Record<string, Handler>): Fetch & { calls: Request[] } {
  const calls: Request[] = [];
  const fetch = async (request: Request) => {
    calls.push(request.clone());
    const path = new URL(request.url).pathname.replace(/^\/api\/(command|read)/, "");
    const handler = routes[`${request.method} ${path}`];
    return handler
      ? handler(request)
      : problem(404, "not_found");
  };
  return Object.assign(fetch, { calls });
}

export function problem(status: number, code: string, extra: object = {}): Response {
  return new Response(JSON.stringify({ type: `urn:gescom:problem:${code}`, title: code, status, code, ...extra }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

export function renderApp(
  ui: ReactElement,
  { network, path = "/", route = "*", services }: { network: Fetch; path?: string; route?: string; services?: Services },
) {
  const theServices =
    services ??
    createServices({ commandApiUrl: "http://test/api/command", readApiUrl: "http://test/api/read" }, () => "fr", network);
  const queryClient = createQueryClient();
  const result = render(
    <MantineProvider>
      <I18nProvider lang="fr">
        <ServicesProvider services={theServices}>
          <QueryClientProvider client={queryClient}>
            <MemoryRouter initialEntries={[path]}>
              <Routes>
                <Route path={route} element={ui} />
                <Route path="*" element={<p>elsewhere</p>} />
              </Routes>
            </MemoryRouter>
          </QueryClientProvider>
        </ServicesProvider>
      </I18nProvider>
    </MantineProvider>,
  );
  return { ...result, services: theServices, queryClient };
}
