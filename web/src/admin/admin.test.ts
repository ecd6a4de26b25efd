import { describe, expect, it } from "vitest";
import { auditQuery } from "./api";
import { adminEn, adminFr } from "./messages";
import { MENU, visibleMenu } from "../auth/permissions";

describe("admin", () => {
  it("sends only the audit filters given, paged or not (the CSV export takes them all)", () => {
    const filters = { actor: " ", aggregate_type: "User", type: "UserCreated", from: "2026-12-01", to: "", page: 3 };
    expect(auditQuery(filters)).toEqual({
      aggregate_type: "User",
      type: "UserCreated",
      from: "2026-12-01",
      page: 3,
      limit: 25,
    });
    expect(auditQuery(filters, false)).toEqual({ aggregate_type: "User", type: "UserCreated", from: "2026-12-01" });
  });

  it("shows the admin menu entries only to the permissions that open them", () => {
    const reader = visibleMenu(["catalogue:read"]).map((m) => m.to);
    expect(reader).toContain("/products");
    expect(reader.filter((to) => to.startsWith("/admin"))).toEqual([]);
    expect(visibleMenu(["catalogue:read", "users:manage", "audit:read"]).map((m) => m.to)).toEqual(
      expect.arrayContaining(["/admin/users", "/admin/audit"]),
    );
    expect(MENU.filter((m) => m.to.startsWith("/admin")).map((m) => m.permission)).toEqual([
      "users:manage",
      "audit:read",
    ]);
  });

  it("translates every admin text", () => {
    expect(Object.keys(adminEn).sort()).toEqual(Object.keys(adminFr).sort());
  });
});
