// Everything the app talks to, created once: configuration, API clients, session and the
// read-your-writes memory. Components reach it through ServicesProvider.
import { createApiClients, type ApiClients, type Fetch } from "./api/clients";
import type { AppConfig } from "./config";
import { Session } from "./auth/session";
import { createCookieTokenTransport } from "./auth/tokenTransport";
import { RecentWrites } from "./lib/recentWrites";

export interface Services {
  config: AppConfig;
  api: ApiClients;
  session: Session;
  writes: RecentWrites;
}

export function createServices(
  config: AppConfig,
  language: () => string,
  network: Fetch = (request) => fetch(request),
): Services {
  const authorized: Fetch = (request) => session.fetch(request);
  const api = createApiClients(config, authorized, language, network);
  const session: Session = new Session(createCookieTokenTransport(api.auth), network);
  return { config, api, session, writes: new RecentWrites() };
}
