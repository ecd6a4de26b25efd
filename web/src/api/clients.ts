// The typed clients of the two APIs, generated from docs/openapi/*.json.
import createClient, { type Client } from "openapi-fetch";
import type { paths as CommandPaths } from "./generated/command-api";
import type { paths as ReadPaths } from "./generated/read-api";
import type { AppConfig } from "../config";
import { singleFlight } from "./singleFlight";

export type CommandClient = Client<CommandPaths>;
export type ReadClient = Client<ReadPaths>;

export type Fetch = (request: Request) => Promise<Response>;

export interface ApiClients {
  /** command-api without a token: /auth/login, /auth/refresh, /auth/logout. */
  auth: CommandClient;
  command: CommandClient;
  read: ReadClient;
}

/**
 * `authorizedFetch` adds the access token (and refreshes it when the server says it has
 * expired); `language` is sent as Accept-Language so that localised answers (the
 * proforma) follow the interface.
 */
export function createApiClients(
  config: AppConfig,
  authorizedFetch: Fetch,
  language: () => string,
  plainFetch: Fetch = (request) => fetch(request),
): ApiClients {
  const withLanguage =
    (inner: Fetch): Fetch =>
    (request) => {
      if (!request.headers.has("accept-language")) {
        request.headers.set("accept-language", language());
      }
      return inner(request);
    };
  return {
    auth: createClient<CommandPaths>({ baseUrl: config.commandApiUrl, fetch: withLanguage(plainFetch) }),
    command: createClient<CommandPaths>({
      baseUrl: config.commandApiUrl,
      // Outermost: a double click's second request waits for the first's answer.
      fetch: singleFlight(withLanguage(authorizedFetch)),
    }),
    read: createClient<ReadPaths>({ baseUrl: config.readApiUrl, fetch: withLanguage(authorizedFetch) }),
  };
}
