// Accounts (read-api /users, command-api /users…) and the audit trail (read-api /audit),
// with read-your-writes: a command's version is awaited on the account (`min_version`)
// before the lists are read again, so the change is never missing from them.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
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

/** Downloads the filtered audit trail as CSV, with the bearer token (a plain link would have none). */
export function useAuditExport() {
  const { api } = useServices();
  return useMutation({
    mutationFn: async (filters: AuditFilters) => {
      const { data } = await unwrap(
        api.read.GET("/audit/export", {
          params: { query: auditQuery(filters, false) },
          parseAs: "blob",
        }),
      );
      const url = URL.createObjectURL(data as Blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = "audit.csv";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
}
