import { describe, expect, it, vi } from "vitest";
import { Session, refreshDelayMs, type Clock } from "./session";
import type { Grant, TokenTransport } from "./tokenTransport";
import { ApiError } from "../api/problem";

const user = { id: "u1", email: "lea@example.com", roles: ["sales" as const], must_change_password: false };

function grant(token: string, expiresIn = 900, mustChange = false): Grant {
  return { accessToken: token, expiresIn, user: { ...user, must_change_password: mustChange } };
}

function fakeClock() {
  let now = 1_000_000;
  const timers: { at: number; callback: () => void; id: number }[] = [];
  let next = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = next++;
      timers.push({ at: now + ms, callback, id });
      return id;
    },
    clearTimeout: (handle) => {
      const i = timers.findIndex((t) => t.id === handle);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  return {
    clock,
    pending: () => timers.length,
    advance(ms: number) {
      now += ms;
      for (const t of [...timers].sort((a, b) => a.at - b.at)) {
        if (t.at <= now) {
          timers.splice(timers.indexOf(t), 1);
          t.callback();
        }
      }
    },
  };
}

function fakeTransport(overrides: Partial<TokenTransport> = {}) {
  let refreshes = 0;
  const transport: TokenTransport = {
    login: vi.fn(async () => grant("access-1")),
    refresh: vi.fn(async () => grant(`access-r${++refreshes}`)),
    canRefresh: vi.fn(() => true),
    logout: vi.fn(async () => {}),
    forget: vi.fn(),
    ...overrides,
  };
  return transport;
}

const problem = (status: number, code: string) =>
  new Response(JSON.stringify({ type: `urn:gescom:problem:${code}`, title: code, status, code }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

describe("refreshDelayMs", () => {
  it("refreshes at 80% of the lifetime, at least 30 s before the end, never before 5 s", () => {
    expect(refreshDelayMs(900)).toBe(720_000);
    expect(refreshDelayMs(60)).toBe(30_000);
    expect(refreshDelayMs(10)).toBe(5_000);
  });
});

describe("Session", () => {
  it("signs in, keeps the access token in memory and authorises requests with it", async () => {
    const seen: (string | null)[] = [];
    const network = vi.fn(async (request: Request) => {
      seen.push(request.headers.get("authorization"));
      return new Response("{}", { status: 200 });
    });
    const { clock } = fakeClock();
    const session = new Session(fakeTransport(), network, clock);
    expect(session.getState()).toEqual({ status: "signed_out", reason: null });
    await session.login("lea@example.com", "secret");
    expect(session.getState()).toMatchObject({ status: "signed_in", user: { email: "lea@example.com" } });
    await session.fetch(new Request("http://api/products"));
    expect(seen).toEqual(["Bearer access-1"]);
  });

  it("refreshes on its own before the token expires", async () => {
    const transport = fakeTransport();
    const time = fakeClock();
    const session = new Session(transport, vi.fn(), time.clock);
    await session.login("a", "b");
    time.advance(719_000);
    expect(transport.refresh).not.toHaveBeenCalled();
    time.advance(1_000);
    await vi.waitFor(() => expect(session.accessToken()).toBe("access-r1"));
    expect(transport.refresh).toHaveBeenCalledTimes(1);
    expect(time.pending()).toBe(1); // the next refresh is scheduled
  });

  it("on 401 token_expired refreshes once and replays the request with its body", async () => {
    const bodies: string[] = [];
    const network = vi.fn(async (request: Request) => {
      bodies.push(await request.text());
      return request.headers.get("authorization") === "Bearer access-1"
        ? problem(401, "token_expired")
        : new Response('{"id":"p1","version":1}', { status: 201 });
    });
    const transport = fakeTransport();
    const session = new Session(transport, network, fakeClock().clock);
    await session.login("a", "b");
    const response = await session.fetch(
      new Request("http://api/products", { method: "POST", body: '{"sku":"A"}' }),
    );
    expect(response.status).toBe(201);
    expect(bodies).toEqual(['{"sku":"A"}', '{"sku":"A"}']);
    expect(transport.refresh).toHaveBeenCalledTimes(1);
  });

  it("does not refresh for a 401 that a new token does not cure", async () => {
    const transport = fakeTransport();
    const session = new Session(transport, async () => problem(401, "invalid_credentials"), fakeClock().clock);
    await session.login("a", "b");
    const response = await session.fetch(new Request("http://api/x"));
    expect(response.status).toBe(401);
    expect(transport.refresh).not.toHaveBeenCalled();
  });

  it("shares one refresh between concurrent callers (the refresh token rotates)", async () => {
    let release: () => void = () => {};
    const transport = fakeTransport({
      refresh: vi.fn(
        () =>
          new Promise<Grant>((resolve) => {
            release = () => resolve(grant("access-2"));
          }),
      ),
    });
    const session = new Session(transport, vi.fn(), fakeClock().clock);
    await session.login("a", "b");
    const both = Promise.all([session.refresh(), session.refresh()]);
    release();
    expect(await both).toEqual([true, true]);
    expect(transport.refresh).toHaveBeenCalledTimes(1);
    expect(session.accessToken()).toBe("access-2");
  });

  it("signs out with reason 'expired' when the refresh is refused", async () => {
    const transport = fakeTransport({
      refresh: vi.fn(async () => {
        throw new ApiError(401, {
          type: "x",
          title: "invalid refresh token",
          status: 401,
          code: "invalid_refresh_token",
        });
      }),
    });
    const session = new Session(transport, async () => problem(401, "token_expired"), fakeClock().clock);
    await session.login("a", "b");
    const response = await session.fetch(new Request("http://api/x"));
    expect(response.status).toBe(401);
    expect(session.getState()).toEqual({ status: "signed_out", reason: "expired" });
    expect(session.accessToken()).toBeNull();
    expect(transport.forget).toHaveBeenCalled();
  });

  it("refreshes before sending when the token is about to expire (a tab woken from sleep)", async () => {
    const seen: (string | null)[] = [];
    const time = fakeClock();
    const transport = fakeTransport();
    const session = new Session(
      transport,
      async (request) => {
        seen.push(request.headers.get("authorization"));
        return new Response("{}");
      },
      { ...time.clock, setTimeout: () => 0, clearTimeout: () => {} }, // timers never fire
    );
    await session.login("a", "b");
    time.advance(895_000);
    await session.fetch(new Request("http://api/x"));
    expect(seen).toEqual(["Bearer access-r1"]);
  });

  it("after a password change uses the new token and lifts the pending change", async () => {
    const transport = fakeTransport({ login: vi.fn(async () => grant("access-1", 900, true)) });
    const session = new Session(transport, vi.fn(), fakeClock().clock);
    const signedIn = await session.login("a", "b");
    expect(signedIn.must_change_password).toBe(true);
    session.passwordChanged({ id: "u1", version: 3, access_token: "access-new", expires_in: 900 });
    expect(session.accessToken()).toBe("access-new");
    expect(session.getState()).toMatchObject({ user: { must_change_password: false } });
  });

  it("logs out: tells the server, forgets the token, notifies listeners", async () => {
    const transport = fakeTransport();
    const time = fakeClock();
    const session = new Session(transport, vi.fn(), time.clock);
    await session.login("a", "b");
    const listener = vi.fn();
    session.subscribe(listener);
    await session.logout();
    expect(transport.logout).toHaveBeenCalledTimes(1);
    expect(transport.forget).not.toHaveBeenCalled(); // logout needs the token it holds
    expect(session.accessToken()).toBeNull();
    expect(session.getState()).toEqual({ status: "signed_out", reason: "logout" });
    expect(listener).toHaveBeenCalled();
    expect(time.pending()).toBe(0);
  });

  it("restores nothing in JSON mode and resumes through refresh when the transport can", async () => {
    const none = fakeTransport({ canRefresh: () => false });
    const a = new Session(none, vi.fn(), fakeClock().clock);
    await a.restore();
    expect(none.refresh).not.toHaveBeenCalled();
    expect(a.getState().status).toBe("signed_out");

    const cookie = fakeTransport({ canRefresh: () => true });
    const b = new Session(cookie, vi.fn(), fakeClock().clock);
    await b.restore();
    expect(b.getState().status).toBe("signed_in");
  });
});

describe("Session and sign-out races", () => {
  it("a refresh answered after logout does not sign the person back in", async () => {
    let answer: (g: Grant) => void = () => {};
    const transport = fakeTransport({
      refresh: vi.fn(() => new Promise<Grant>((resolve) => (answer = resolve))),
    });
    const session = new Session(transport, vi.fn(), fakeClock().clock);
    await session.login("a", "b");
    const refreshing = session.refresh();
    await session.logout();
    answer(grant("access-late"));
    expect(await refreshing).toBe(false);
    expect(session.getState()).toEqual({ status: "signed_out", reason: "logout" });
    expect(session.accessToken()).toBeNull();
  });
});
