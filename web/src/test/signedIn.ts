// A signed-in sales user on the fake network, for component tests.
import type { Handler } from "./render";

export function signedInAs(roles: string[], permissions: string[]): Record<string, Handler> {
  return {
    "POST /auth/login": () =>
      Response.json({
        access_token: "acc",
        token_type: "Bearer",
        expires_in: 900,
        refresh_token: "ref",
        refresh_expires_in: 604800,
        user: { id: "u", email: "u@example.com", roles, must_change_password: false },
      }),
    "GET /auth/me": () =>
      Response.json({
        id: "u",
        email: "u@example.com",
        display_name: "U",
        roles,
        permissions,
        status: "active",
        must_change_password: false,
        version: 2,
      }),
  };
}
