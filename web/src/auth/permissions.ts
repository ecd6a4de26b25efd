// What the menu shows, from the permissions GET /auth/me lists for the user's roles.
import type { MessageKey } from "../i18n/messages";
import type { Role } from "../api/types";

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

// Invoicing has no permission of its own: the API grants it by role (x-roles in
// docs/openapi/*.json, README "Invoices"), and so does the app.
/** Read invoices and receivables (read-api `GET /invoices`, `/receivables`). */
export const INVOICE_READERS: readonly Role[] = ["admin", "sales", "analyst"];
/** Issue an invoice, record a payment (command-api `POST /invoices`, `/invoices/{id}/payments`). */
export const INVOICE_WRITERS: readonly Role[] = ["admin", "sales"];
/** Issue a credit note (command-api `POST /invoices/{id}/credit-notes`). */
export const CREDIT_NOTE_WRITERS: readonly Role[] = ["admin"];
/** The dashboard, receivables and DSO included (read-api `/dashboard/*`). */
export const DASHBOARD_READERS: readonly Role[] = ["admin", "analyst"];

/** Has the person one of these roles? */
export function hasRole(roles: readonly string[] | undefined, allowed: readonly Role[]): boolean {
  return roles?.some((role) => (allowed as readonly string[]).includes(role)) ?? false;
}

/** The sections built so far, each with the permission that opens it. */
export const MENU: readonly MenuItem[] = [
  { to: "/products", label: "nav.products", permission: "catalogue:read" },
  { to: "/customers", label: "nav.customers", permission: "catalogue:read" },
  { to: "/orders", label: "nav.orders", permission: "catalogue:read" },
  { to: "/invoices", label: "nav.invoices", permission: "catalogue:read", roles: INVOICE_READERS },
  { to: "/receivables", label: "nav.receivables", permission: "catalogue:read", roles: INVOICE_READERS },
  { to: "/stock", label: "nav.stock", permission: "catalogue:read" },
  { to: "/dashboard", label: "nav.dashboard", permission: "catalogue:read", roles: DASHBOARD_READERS },
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
