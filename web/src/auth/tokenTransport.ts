// The one module that knows how tokens are obtained and where the refresh token lives.
//
// Today: JSON mode. /auth/login and /auth/refresh answer the refresh token in the body and
// it is kept in this module's memory only (a reload signs the person out). When
// command-api gains its cookie mode (HttpOnly refresh cookie scoped to /auth, with CSRF
// protection), a `createCookieTokenTransport` with the same interface replaces this one
// in src/auth/index.ts, and a reload resumes the session through `refresh()`.
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
    refresh_token: string;
    user: UserSummary;
  }): Grant => {
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
        void unwrap(client.POST("/auth/logout", { body: { refresh_token: data.refresh_token } })).catch(
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
