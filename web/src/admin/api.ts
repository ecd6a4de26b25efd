// Accounts (read-api /users, command-api /users…) and the audit trail (read-api /audit),
// with read-your-writes: a command's version is awaited on the account (`min_version`)
// before the lists are read again, so the change is never missing from them.
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import { blobOf } from "../lib/download";
import type { Ref } from "./audit";
import type { AuditPage, CreateUser, Role, UserPage, UserRow, UserStatus } from "../api/types";

export const PAGE_SIZE = 25;

export const adminKeys = {
  users: ["users"] as const,
  list: (filters: UserFilters) => ["users", "list", filters] as const,
  detail: (id: string) => ["users", "detail", id] as const,
  audit: (filters: AuditFilters) => ["audit", filters] as const,
};

export interface UserFilters {
  q: string;
  status: UserStatus | "";
  page: number;
}

export interface AuditFilters {
  actor: string;
  aggregate_type: string;
  type: string;
  from: string;
  to: string;
  page: number;
}

export interface CommandResult {
  id: string;
  version: number;
}

export function useUserList(filters: UserFilters) {
  const { api } = useServices();
  return useQuery({
    queryKey: adminKeys.list(filters),
    queryFn: async ({ signal }): Promise<UserPage> => {
      const query = {
        page: filters.page,
        limit: PAGE_SIZE,
        ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
        ...(filters.status ? { status: filters.status } : {}),
      };
      return (await unwrap(api.read.GET("/users", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

function useFetchUser() {
  const { api, writes } = useServices();
  return async (id: string, signal?: AbortSignal): Promise<UserRow> => {
    const min = writes.versionOf(id);
    const query = min === undefined ? {} : { min_version: String(min) };
    return (await unwrap(api.read.GET("/users/{id}", { params: { path: { id }, query }, signal })))
      .data;
  };
}

export function useUser(id: string) {
  const fetchUser = useFetchUser();
  return useQuery({
    queryKey: adminKeys.detail(id),
    queryFn: ({ signal }) => fetchUser(id, signal),
  });
}

/** After a command: remember its version, wait until the account shows it, then re-read the lists. */
function useAfterWrite() {
  const { writes } = useServices();
  const queryClient = useQueryClient();
  const fetchUser = useFetchUser();
  return async (result: CommandResult) => {
    writes.record("user", result.id, result.version);
    const row = await fetchUser(result.id).catch(() => undefined);
    if (row) queryClient.setQueryData(adminKeys.detail(result.id), row);
    await queryClient.invalidateQueries({ queryKey: adminKeys.users });
    void queryClient.invalidateQueries({ queryKey: ["audit"] });
  };
}

function ifMatch(version: number): string {
  return `"${version}"`;
}

export function useCreateUser() {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async (body: CreateUser): Promise<CommandResult> =>
      (await unwrap(api.command.POST("/users", { body }))).data,
    onSuccess: afterWrite,
  });
}

export type UserAction =
  | { kind: "roles"; roles: Role[] }
  | { kind: "disable" }
  | { kind: "enable" }
  | { kind: "reset"; password: string };

export function useUserCommand(id: string) {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ action, version }: { action: UserAction; version: number }) => {
      const params = { path: { id }, header: { "If-Match": ifMatch(version) } };
      switch (action.kind) {
        case "roles":
          return (await unwrap(api.command.PUT("/users/{id}/roles", { params, body: { roles: action.roles } })))
            .data;
        case "disable":
          return (await unwrap(api.command.POST("/users/{id}/disable", { params }))).data;
        case "enable":
          return (await unwrap(api.command.POST("/users/{id}/enable", { params }))).data;
        case "reset":
          return (
            await unwrap(
              api.command.POST("/users/{id}/password", { params, body: { new_password: action.password } }),
            )
          ).data;
      }
    },
    onSuccess: afterWrite,
  });
}

/** The audit query for a filter set: empty fields left out, dates as whole days. */
export function auditQuery(filters: AuditFilters, paged = true) {
  const query: Record<string, string | number> = {};
  for (const key of ["actor", "aggregate_type", "type", "from", "to"] as const) {
    const value = filters[key].trim();
    if (value) query[key] = value;
  }
  if (paged) {
    query.page = filters.page;
    query.limit = PAGE_SIZE;
  }
  return query;
}

export function useAudit(filters: AuditFilters) {
  const { api } = useServices();
  return useQuery({
    queryKey: adminKeys.audit(filters),
    queryFn: async ({ signal }): Promise<AuditPage> =>
      (await unwrap(api.read.GET("/audit", { params: { query: auditQuery(filters) }, signal }))).data,
    placeholderData: keepPreviousData,
  });
}

/** The filtered audit trail as CSV, fetched with the bearer token (a plain link would have none). */
export function useAuditExport() {
  const { api } = useServices();
  return (filters: AuditFilters) =>
    blobOf(api.read.GET("/audit/export", { params: { query: auditQuery(filters, false) }, parseAs: "blob" }));
}

/** Accounts by id, to name the actors and to pick one in the audit filter (the first 200). */
export function useUserDirectory() {
  const { api } = useServices();
  return useQuery({
    queryKey: ["users", "directory"] as const,
    queryFn: async ({ signal }): Promise<UserRow[]> =>
      (await unwrap(api.read.GET("/users", { params: { query: { limit: 200 } }, signal }))).data.items,
    staleTime: 60_000,
  });
}

/** How the audit trail names an object: a label ("VIS-440 · Vis à bois") and its page. */
export interface RefLabel {
  label: string;
  /** A second line: an account's email. */
  detail?: string;
}

/**
 * The labels of the objects a page of the audit trail names, each read once (and kept a
 * few minutes): products, customers, orders, invoices, and accounts missing from the directory.
 * One that cannot be read is left unnamed; the page then shows what the event says.
 */
export function useRefLabels(refs: readonly Ref[], directory: readonly UserRow[] | undefined) {
  const { api } = useServices();
  const byUser = new Map((directory ?? []).map((u) => [u.id, u]));
  const unique = [...new Map(refs.map((r) => [`${r.kind}:${r.id}`, r])).values()].filter(
    (r) => r.kind !== "stock" && !(r.kind === "user" && (directory === undefined || byUser.has(r.id))),
  );
  const results = useQueries({
    queries: unique.map((ref) => ({
      queryKey: ["audit", "ref", ref.kind, ref.id] as const,
      staleTime: 5 * 60_000,
      retry: false,
      queryFn: async ({ signal }: { signal: AbortSignal }): Promise<RefLabel> => {
        const params = { path: { id: ref.id } };
        switch (ref.kind) {
          case "product": {
            const p = (await unwrap(api.read.GET("/products/{id}", { params, signal }))).data;
            return { label: `${p.sku} · ${p.name}` };
          }
          case "customer": {
            const c = (await unwrap(api.read.GET("/customers/{id}", { params, signal }))).data;
            return { label: `${c.code} · ${c.legal_name}` };
          }
          case "order": {
            const o = (await unwrap(api.read.GET("/orders/{id}", { params, signal }))).data;
            return { label: o.number };
          }
          case "invoice": {
            const i = (await unwrap(api.read.GET("/invoices/{id}", { params, signal }))).data;
            return { label: i.number };
          }
          default: {
            const u = (await unwrap(api.read.GET("/users/{id}", { params, signal }))).data;
            return { label: u.display_name, detail: u.email };
          }
        }
      },
    })),
  });
  const labels = new Map<string, RefLabel>();
  for (const [id, u] of byUser) labels.set(`user:${id}`, { label: u.display_name, detail: u.email });
  unique.forEach((ref, i) => {
    const data = results[i]?.data;
    if (data) labels.set(`${ref.kind}:${ref.id}`, data);
  });
  return (ref: Ref): RefLabel | undefined =>
    labels.get(`${ref.kind === "stock" ? "product" : ref.kind}:${ref.id}`);
}
