import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, resolveConfig } from "./config";

describe("resolveConfig", () => {
  it("defaults to the same-origin proxied paths", () => {
    expect(resolveConfig(undefined, {})).toEqual(DEFAULT_CONFIG);
  });

  it("prefers the runtime config.js, then the build-time variables, and drops trailing slashes", () => {
    expect(
      resolveConfig(
        { readApiUrl: "https://read.example.com/" },
        { VITE_COMMAND_API_URL: "https://cmd.example.com", VITE_READ_API_URL: "https://ignored" },
      ),
    ).toEqual({ commandApiUrl: "https://cmd.example.com", readApiUrl: "https://read.example.com" });
    expect(resolveConfig({ commandApiUrl: "  " }, {})).toEqual(DEFAULT_CONFIG);
  });
});
