// The one module that knows how tokens are obtained and where the refresh token lives.
//
// The app uses the cookie mode (`createCookieTokenTransport`): command-api sets the
// refresh token in an HttpOnly, Secure, SameSite=Strict cookie scoped to /auth that no
// script can read, and a readable `__Host-gescom_csrf` cookie whose value (also in the login and
// refresh bodies) is echoed in `X-CSRF-Token` on /auth/refresh and /auth/logout. A reload
// resumes the session through `refresh()`. The JSON mode (refresh token in the body, kept
// in this module's memory) stays for tests and for clients without cookies.
import { unwrap } from "../api/problem";
import type { CommandClient } from "../api/clients";
import type { UserSummary } from "../api/types";

/** What a sign-in or a refresh gives the session: never the refresh token itself. */
export interface Grant {
  accessToken: string;
  /** Seconds from now. */
  expiresIn: number;
  user: UserSummary;
}

export interface TokenTransport {
  login(email: string, password: string): Promise<Grant>;
  /** A new access token; rejects with an ApiError when the session is over. */
  refresh(): Promise<Grant>;
  /** Whether `refresh()` can work: a token is held (JSON mode), or a cookie may be (cookie mode). */
  canRefresh(): boolean;
  /** Ends the session on the server (best effort) and forgets it here. */
  logout(): Promise<void>;
  /** Forgets the session here without telling the server. */
  forget(): void;
}

export function createJsonTokenTransport(client: CommandClient): TokenTransport {
  let refreshToken: string | null = null;
  /** Bumped by logout and forget: a refresh answered after either must not bring the session back. */
  let epoch = 0;

  const grant = (body: {
    access_token: string;
    expires_in: number;
    refresh_token?: string | null;
    user: UserSummary;
  }): Grant => {
    if (!body.refresh_token) throw new Error("no refresh token in the answer");
    refreshToken = body.refresh_token;
    return { accessToken: body.access_token, expiresIn: body.expires_in, user: body.user };
  };

  return {
    async login(email, password) {
      const { data } = await unwrap(client.POST("/auth/login", { body: { email, password } }));
      return grant(data);
    },
    async refresh() {
      const token = refreshToken;
      if (!token) throw new Error("no refresh token held");
      const started = epoch;
      const { data } = await unwrap(
        client.POST("/auth/refresh", { body: { refresh_token: token } }),
      );
      if (epoch !== started) {
        // Signed out meanwhile: end the session this answer continued, keep nothing.
        void unwrap(client.POST("/auth/logout", { body: { refresh_token: data.refresh_token ?? "" } })).catch(
          () => undefined,
        );
        throw new Error("signed out during the refresh");
      }
      return grant(data);
    },
    canRefresh: () => refreshToken !== null,
    async logout() {
      const token = refreshToken;
      refreshToken = null;
      epoch += 1;
      if (token) {
        await unwrap(client.POST("/auth/logout", { body: { refresh_token: token } })).catch(
          () => undefined,
        );
      }
    },
    forget() {
      refreshToken = null;
      epoch += 1;
    },
  };
}

/** The browser's cookies as this module needs them (injected in tests). */
export interface CookieJar {
  get(name: string): string | null;
  remove(name: string): void;
}

export const CSRF_COOKIE = "__Host-gescom_csrf";

export const documentCookies: CookieJar = {
  get(name) {
    if (typeof document === "undefined") return null;
    for (const pair of document.cookie.split(";")) {
      const [key, ...rest] = pair.trim().split("=");
      const value = rest.join("=");
      if (key === name && value) return decodeURIComponent(value);
    }
    return null;
  },
  remove(name) {
    if (typeof document === "undefined") return;
    document.cookie = `${name}=; Path=/; Max-Age=0; Secure; SameSite=Strict`;
  },
};

/** Runs `task` while no other tab of this origin runs one under the same lock. */
export type TabLock = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * The browser's Web Locks: the tabs of one origin share one refresh cookie, and a refresh
 * token presented twice reads as stolen (the server ends the session). So tabs refresh one
 * at a time, each with the cookie the previous one left. Without Web Locks (an old
 * browser, or no secure context) tabs are not coordinated.
 */
export const webLock: TabLock = (task) => {
  if (typeof navigator === "undefined" || !navigator.locks) return task();
  const locks = navigator.locks;
  return new Promise((resolve, reject) => {
    void locks.request("gescom-session-refresh", () => task().then(resolve, reject));
  });
};

/**
 * Cookie mode: the refresh token never reaches JavaScript. The CSRF token is read from the
 * `__Host-gescom_csrf` cookie, which another tab's refresh may have rotated, else from memory (an
 * API on another origin sets a cookie this page cannot read).
 */
// `credentials: "include"`: an API on another origin of the same site (listed in its
// GESCOM_CORS_ORIGINS) gets and sends the cookie too; its `__Host-gescom_csrf` cookie is not
// readable from here then, so the session lasts until the page is reloaded.
export function createCookieTokenTransport(
  client: CommandClient,
  cookies: CookieJar = documentCookies,
  lock: TabLock = webLock,
): TokenTransport {
  let csrf: string | null = null;
  let epoch = 0;
  const currentCsrf = () => cookies.get(CSRF_COOKIE) ?? csrf;

  const grant = (body: {
    access_token: string;
    expires_in: number;
    csrf_token?: string | null;
    user: UserSummary;
  }): Grant => {
    csrf = body.csrf_token ?? null;
    return { accessToken: body.access_token, expiresIn: body.expires_in, user: body.user };
  };
  const endOnServer = async (token: string) => {
    await unwrap(
      client.POST("/auth/logout", {
        body: {},
        params: { header: { "X-CSRF-Token": token } },
        credentials: "include",
      }),
    ).catch(() => undefined);
  };
  const forgetHere = () => {
    csrf = null;
    epoch += 1;
    cookies.remove(CSRF_COOKIE);
  };

  return {
    async login(email, password) {
      const { data } = await unwrap(
        client.POST("/auth/login", { body: { email, password, session: "cookie" }, credentials: "include" }),
      );
      return grant(data);
    },
    refresh() {
      const started = epoch;
      return lock(async () => {
        // Read inside the lock: the tab that held it may have rotated the cookie.
        const token = currentCsrf();
        if (!token) throw new Error("no browser session");
        const { data } = await unwrap(
          client.POST("/auth/refresh", {
            body: {},
            params: { header: { "X-CSRF-Token": token } },
            credentials: "include",
          }),
        );
        if (epoch !== started) {
          // Signed out meanwhile: end the session this answer continued (it set new cookies).
          if (data.csrf_token) await endOnServer(data.csrf_token);
          throw new Error("signed out during the refresh");
        }
        return grant(data);
      });
    },
    canRefresh: () => currentCsrf() !== null,
    async logout() {
      const token = currentCsrf();
      forgetHere();
      if (token) await endOnServer(token);
    },
    forget: forgetHere,
  };
}
