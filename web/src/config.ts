// Where the two APIs are. Order of precedence: window.__GESCOM_CONFIG__ (public/config.js,
// replaced at deployment), then the build-time VITE_COMMAND_API_URL / VITE_READ_API_URL,
// then the same-origin paths that Vite's dev and preview servers proxy to the services.

export interface AppConfig {
  commandApiUrl: string;
  readApiUrl: string;
}

declare global {
  interface Window {
    __GESCOM_CONFIG__?: Partial<AppConfig>;
  }
}

export const DEFAULT_CONFIG: AppConfig = {
  commandApiUrl: "/api/command",
  readApiUrl: "/api/read",
};

function clean(url: string | undefined): string | undefined {
  const trimmed = url?.trim();
  return trimmed ? trimmed.replace(/\/+$/, "") : undefined;
}

export function resolveConfig(
  runtime: Partial<AppConfig> | undefined,
  env: Partial<Record<"VITE_COMMAND_API_URL" | "VITE_READ_API_URL", string>>,
): AppConfig {
  return {
    commandApiUrl:
      clean(runtime?.commandApiUrl) ?? clean(env.VITE_COMMAND_API_URL) ?? DEFAULT_CONFIG.commandApiUrl,
    readApiUrl: clean(runtime?.readApiUrl) ?? clean(env.VITE_READ_API_URL) ?? DEFAULT_CONFIG.readApiUrl,
  };
}

export function loadConfig(): AppConfig {
  return resolveConfig(typeof window === "undefined" ? undefined : window.__GESCOM_CONFIG__, {
    VITE_COMMAND_API_URL: import.meta.env.VITE_COMMAND_API_URL as string | undefined,
    VITE_READ_API_URL: import.meta.env.VITE_READ_API_URL as string | undefined,
  });
}
