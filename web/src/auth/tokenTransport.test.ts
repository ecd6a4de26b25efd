import { describe, expect, it } from "vitest";
import createClient from "openapi-fetch";
import type { paths } from "../api/generated/command-api";
import { createCookieTokenTransport, createJsonTokenTransport } from "./tokenTransport";

function server() {
  const calls: { path: string; body: unknown }[] = [];
  let n = 0;
  const fetch = async (request: Request) => {
    const path = new URL(request.url).pathname;
    const body: unknown = request.method === "POST" ? await request.json() : undefined;
    calls.push({ path, body });
    if (path === "/auth/logout") return new Response(null, { status: 204 });
    n += 1;
    return Response.json({
      access_token: `a${n}`,
      token_type: "Bearer",
      expires_in: 900,
      refresh_token: `r${n}`,
      refresh_expires_in: 604800,
      user: { id: "u", email: "e@x.fr", roles: ["admin"], must_change_password: false },
    });
  };
  return { calls, client: createClient<paths>({ baseUrl: "http://api", fetch }) };
}

describe("JSON token transport", () => {
  it("keeps the rotating refresh token in memory and never hands it out", async () => {
    const { calls, client } = server();
    const transport = createJsonTokenTransport(client);
    expect(transport.canRefresh()).toBe(false);
    const first = await transport.login("e@x.fr", "pw");
    expect(first).toEqual({ accessToken: "a1", expiresIn: 900, user: expect.any(Object) });
    expect(Object.values(first)).not.toContain("r1");
    expect(transport.canRefresh()).toBe(true);
    await transport.refresh();
    await transport.refresh();
    await transport.logout();
    expect(calls.map((c) => [c.path, c.body])).toEqual([
      ["/auth/login", { email: "e@x.fr", password: "pw" }],
      ["/auth/refresh", { refresh_token: "r1" }],
      ["/auth/refresh", { refresh_token: "r2" }],
      ["/auth/logout", { refresh_token: "r3" }],
    ]);
    expect(transport.canRefresh()).toBe(false);
  });

  it("forget drops the token without a call", async () => {
    const { calls, client } = server();
    const transport = createJsonTokenTransport(client);
    await transport.login("e@x.fr", "pw");
    transport.forget();
    await transport.logout();
    expect(calls).toHaveLength(1);
    await expect(transport.refresh()).rejects.toThrow();
  });
});

describe("JSON token transport and sign-out races", () => {
  it("revokes the session a refresh continued when logout came first", async () => {
    const calls: { path: string; body: unknown }[] = [];
    let release: () => void = () => {};
    const fetch = async (request: Request) => {
      const path = new URL(request.url).pathname;
      calls.push({ path, body: await request.clone().json() });
      if (path === "/auth/logout") return new Response(null, { status: 204 });
      if (path === "/auth/refresh") await new Promise<void>((r) => (release = r));
      return Response.json({
        access_token: "a",
        token_type: "Bearer",
        expires_in: 900,
        refresh_token: path === "/auth/refresh" ? "r-new" : "r-old",
        refresh_expires_in: 1,
        user: { id: "u", email: "e@x.fr", roles: ["admin"], must_change_password: false },
      });
    };
    const transport = createJsonTokenTransport(createClient<paths>({ baseUrl: "http://api", fetch }));
    await transport.login("e@x.fr", "pw");
    const refreshing = transport.refresh();
    await new Promise((r) => setTimeout(r, 0));
    await transport.logout();
    release();
    await expect(refreshing).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.map((c) => [c.path, c.body])).toEqual([
      ["/auth/login", { email: "e@x.fr", password: "pw" }],
      ["/auth/refresh", { refresh_token: "r-old" }],
      ["/auth/logout", { refresh_token: "r-old" }],
      ["/auth/logout", { refresh_token: "r-new" }],
    ]);
    expect(transport.canRefresh()).toBe(false);
  });
});

describe("cookie token transport", () => {
  function cookieServer() {
    const calls: { path: string; body: unknown; csrf: string | null }[] = [];
    let n = 0;
    const jar = new Map<string, string>();
    const cookies = {
      get: (name: string) => jar.get(name) ?? null,
      remove: (name: string) => void jar.delete(name),
    };
    const fetch = async (request: Request) => {
      const path = new URL(request.url).pathname;
      calls.push({ path, body: await request.json(), csrf: request.headers.get("x-csrf-token") });
      if (path === "/auth/logout") {
        jar.delete("__Host-gescom_csrf");
        return new Response(null, { status: 204 });
      }
      n += 1;
      jar.set("__Host-gescom_csrf", `c${n}`);
      return Response.json({
        access_token: `a${n}`,
        token_type: "Bearer",
        expires_in: 900,
        csrf_token: `c${n}`,
        refresh_expires_in: 604800,
        user: { id: "u", email: "e@x.fr", roles: ["admin"], must_change_password: false },
      });
    };
    return { calls, jar, cookies, client: createClient<paths>({ baseUrl: "http://api", fetch }) };
  }

  it("asks for the cookie mode, echoes the CSRF token, and sends no refresh token", async () => {
    const { calls, cookies, client } = cookieServer();
    const transport = createCookieTokenTransport(client, cookies);
    expect(transport.canRefresh()).toBe(false);
    const first = await transport.login("e@x.fr", "pw");
    expect(first).toEqual({ accessToken: "a1", expiresIn: 900, user: expect.any(Object) });
    await transport.refresh();
    await transport.logout();
    expect(calls).toEqual([
      { path: "/auth/login", body: { email: "e@x.fr", password: "pw", session: "cookie" }, csrf: null },
      { path: "/auth/refresh", body: {}, csrf: "c1" },
      { path: "/auth/logout", body: {}, csrf: "c2" },
    ]);
    expect(transport.canRefresh()).toBe(false);
  });

  it("after a reload, resumes from the readable CSRF cookie", async () => {
    const { calls, jar, cookies, client } = cookieServer();
    jar.set("__Host-gescom_csrf", "from-cookie");
    const transport = createCookieTokenTransport(client, cookies);
    expect(transport.canRefresh()).toBe(true);
    await transport.refresh();
    expect(calls[0]).toEqual({ path: "/auth/refresh", body: {}, csrf: "from-cookie" });
  });

  it("forget drops the CSRF value and its cookie without a call", async () => {
    const { calls, jar, cookies, client } = cookieServer();
    const transport = createCookieTokenTransport(client, cookies);
    await transport.login("e@x.fr", "pw");
    transport.forget();
    expect(jar.has("__Host-gescom_csrf")).toBe(false);
    expect(transport.canRefresh()).toBe(false);
    await expect(transport.refresh()).rejects.toThrow();
    expect(calls).toHaveLength(1);
  });

  it("two tabs refreshing at once take turns, each with the cookie the other left", async () => {
    // One server and one cookie jar, as two tabs of one browser share them; the server
    // refuses a CSRF token that is not the current session's (a reused refresh token).
    const { calls, jar, cookies, client } = cookieServer();
    let queue: Promise<unknown> = Promise.resolve();
    const lock = <T,>(task: () => Promise<T>): Promise<T> => {
      const run = queue.then(task);
      queue = run.catch(() => undefined);
      return run;
    };
    const tabA = createCookieTokenTransport(client, cookies, lock);
    await tabA.login("e@x.fr", "pw");
    const tabB = createCookieTokenTransport(client, cookies, lock);
    await tabB.refresh();
    // Tab A still holds c1 in memory; the cookie says c2.
    await Promise.all([tabA.refresh(), tabB.refresh()]);
    expect(calls.map((c) => c.csrf)).toEqual([null, "c1", "c2", "c3"]);
    expect(jar.get("__Host-gescom_csrf")).toBe("c4");
  });
});
