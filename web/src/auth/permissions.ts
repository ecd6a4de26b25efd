// What the menu shows, from the permissions GET /auth/me lists for the user's roles.
import type { MessageKey } from "../i18n/messages";

/** The permissions command-api grants (contracts/src/auth.rs). */
export type Permission =
  | "catalogue:read"
  | "catalogue:write"
  | "orders:write"
  | "stock:write"
  | "users:manage"
  | "audit:read"
  | "projector:admin";

export interface MenuItem {
  to: string;
  label: MessageKey;
  permission: Permission;
  /** Also one of these roles (the dashboard: admin, analyst), when set. */
  roles?: readonly string[];
}

/** The sections built so far, each with the permission that opens it. */
export const MENU: readonly MenuItem[] = [
  { to: "/products", label: "nav.products", permission: "catalogue:read" },
  { to: "/customers", label: "nav.customers", permission: "catalogue:read" },
  { to: "/orders", label: "nav.orders", permission: "catalogue:read" },
  { to: "/stock", label: "nav.stock", permission: "catalogue:read" },
  { to: "/dashboard", label: "nav.dashboard", permission: "catalogue:read", roles: ["admin", "analyst"] },
  { to: "/admin/users", label: "nav.users", permission: "users:manage" },
  { to: "/admin/audit", label: "nav.audit", permission: "audit:read" },
];

export function can(permissions: readonly string[] | undefined, permission: Permission): boolean {
  return permissions?.includes(permission) ?? false;
}

export function visibleMenu(
  permissions: readonly string[] | undefined,
  roles?: readonly string[],
): MenuItem[] {
  return MENU.filter(
    (item) =>
      can(permissions, item.permission) &&
      (!item.roles || item.roles.some((role) => roles?.includes(role))),
  );
}

/** Where a signed-in person lands: the first section they may open. */
export function homePath(permissions: readonly string[] | undefined): string {
  return visibleMenu(permissions)[0]?.to ?? "/password";
}
