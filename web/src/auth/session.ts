// The signed-in session, independent of React: the access token (memory only), its
// refresh before expiry, and a fetch that authorises requests and, when the server says
// the token expired, refreshes once and replays the request.
import type { PasswordChanged, UserSummary } from "../api/types";
import type { Fetch } from "../api/clients";
import type { Grant, TokenTransport } from "./tokenTransport";

export type SignOutReason = "logout" | "expired" | null;

export type SessionState =
  | { status: "signed_out"; reason: SignOutReason }
  | { status: "signed_in"; user: UserSummary };

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Refresh once 80% of the token's life has passed, at least 30 s before it ends, not sooner than 5 s. */
export function refreshDelayMs(expiresInSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  return Math.max(5_000, Math.min(lifetime * 0.8, lifetime - 30_000));
}

/** How close to its end a token is refreshed before use rather than sent. */
const EXPIRY_MARGIN_MS = 10_000;

/** The 401 codes that a fresh access token cures. */
const TOKEN_CODES = new Set(["token_expired", "invalid_token"]);

export class Session {
  private state: SessionState = { status: "signed_out", reason: null };
  private token: { value: string; expiresAt: number } | null = null;
  private timer: unknown = null;
  private refreshing: Promise<boolean> | null = null;
  /** Counts sign-outs, so that an answer to a request made before one is ignored. */
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly transport: TokenTransport,
    private readonly network: Fetch = (request) => fetch(request),
    private readonly clock: Clock = systemClock,
  ) {}

  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The current access token, if any (for tests and diagnostics; requests use `fetch`). */
  accessToken(): string | null {
    return this.token?.value ?? null;
  }

  async login(email: string, password: string): Promise<UserSummary> {
    const grant = await this.transport.login(email, password);
    this.accept(grant);
    return grant.user;
  }

  /** At start-up: resumes a session the transport can still refresh (cookie mode). */
  async restore(): Promise<void> {
    if (this.transport.canRefresh()) await this.refresh();
  }

  /**
   * A new access token; concurrent callers share one request (the refresh token rotates,
   * so two refreshes with the same one would end the session). False when the session is
   * over, which signs the person out.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      const generation = this.generation;
      this.refreshing = this.transport
        .refresh()
        .then((grant) => {
          // Signed out while the answer was on its way: it must not sign the person back in.
          if (generation !== this.generation) return false;
          this.accept(grant);
          return true;
        })
        .catch(() => {
          if (generation === this.generation) {
            this.end(this.state.status === "signed_in" ? "expired" : null);
          }
          return false;
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** After POST /auth/password: the new token, and no pending change any more. */
  passwordChanged(result: PasswordChanged): void {
    if (this.state.status !== "signed_in") return;
    this.setToken(result.access_token, result.expires_in);
    this.setState({
      status: "signed_in",
      user: { ...this.state.user, must_change_password: false },
    });
  }

  async logout(): Promise<void> {
    this.end("logout", false);
    await this.transport.logout();
  }

  /** fetch for the API clients: adds the token; on 401 token_expired refreshes once and replays. */
  fetch: Fetch = async (request) => {
    if (this.token && this.clock.now() >= this.token.expiresAt - EXPIRY_MARGIN_MS) {
      await this.refresh();
    }
    const replay = request.clone();
    const sent = this.token?.value ?? null;
    const response = await this.network(this.authorise(request, sent));
    if (response.status !== 401 || sent === null || !(await curedByRefresh(response))) {
      return response;
    }
    // Another request may have refreshed meanwhile; else refresh now.
    const fresh = this.token?.value !== sent || (await this.refresh());
    const token = this.token?.value ?? null;
    if (!fresh || token === null) return response;
    return this.network(this.authorise(replay, token));
  };

  private authorise(request: Request, token: string | null): Request {
    if (token !== null) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  }

  private accept(grant: Grant): void {
    this.setToken(grant.accessToken, grant.expiresIn);
    this.setState({ status: "signed_in", user: grant.user });
  }

  private setToken(value: string, expiresIn: number): void {
    this.token = { value, expiresAt: this.clock.now() + expiresIn * 1000 };
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, refreshDelayMs(expiresIn));
  }

  private end(reason: SignOutReason, forget = true): void {
    this.generation += 1;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.token = null;
    if (forget) this.transport.forget();
    this.setState({ status: "signed_out", reason });
  }

  private setState(next: SessionState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

async function curedByRefresh(response: Response): Promise<boolean> {
  try {
    const body: unknown = await response.clone().json();
    return (
      typeof body === "object" &&
      body !== null &&
      TOKEN_CODES.has(String((body as { code?: unknown }).code))
    );
  } catch {
    return false;
  }
}
