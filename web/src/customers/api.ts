// Customer reads (read-api) and commands (command-api), with read-your-writes.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import type { components as C } from "../api/generated/command-api";
import type { components as R } from "../api/generated/read-api";
import { ifMatch } from "../products/model";
import { blobOf } from "../lib/download";

export type CustomerRow = R["schemas"]["CustomerRow"];
export type CustomerPage = R["schemas"]["Page_CustomerRow"];
export type CustomerInput = C["schemas"]["CustomerInput"];
export type PaymentTerms = R["schemas"]["PaymentTerms"];
export type CustomerStatus = R["schemas"]["CustomerStatus"];

export const PAYMENT_TERMS: readonly PaymentTerms[] = [
  "immediate",
  "net_30",
  "net_45",
  "net_60",
  "end_of_month_30",
  "end_of_month_45",
];

export interface CustomerFilters {
  q: string;
  status: CustomerStatus | null;
  sort: "code" | "-code" | "name" | "-name";
  page: number;
}

export const customerKeys = {
  all: ["customers"] as const,
  list: (f: CustomerFilters) => ["customers", "list", f] as const,
  detail: (id: string) => ["customers", "detail", id] as const,
};

export const PAGE_SIZE = 25;

export function useCustomerList(filters: CustomerFilters) {
  const { api } = useServices();
  return useQuery({
    queryKey: customerKeys.list(filters),
    queryFn: async ({ signal }): Promise<CustomerPage> => {
      const query = {
        page: filters.page,
        limit: PAGE_SIZE,
        sort: filters.sort,
        ...(filters.q ? { q: filters.q } : {}),
        ...(filters.status ? { status: filters.status } : {}),
      };
      return (await unwrap(api.read.GET("/customers", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

export function useCustomer(id: string) {
  const { api, writes } = useServices();
  return useQuery({
    queryKey: customerKeys.detail(id),
    queryFn: async ({ signal }): Promise<CustomerRow> => {
      const min = writes.versionOf(id);
      const query = min === undefined ? {} : { min_version: String(min) };
      return (await unwrap(api.read.GET("/customers/{id}", { params: { path: { id }, query }, signal }))).data;
    },
  });
}

function useAfterWrite() {
  const { writes } = useServices();
  const queryClient = useQueryClient();
  return (result: { id: string; version: number }) => {
    writes.record("customer", result.id, result.version);
    void queryClient.invalidateQueries({ queryKey: customerKeys.all });
  };
}

export function useCreateCustomer() {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async (body: CustomerInput) => (await unwrap(api.command.POST("/customers", { body }))).data,
    onSuccess: afterWrite,
  });
}

export function useUpdateCustomer(id: string) {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ body, version }: { body: CustomerInput; version: number }) =>
      (
        await unwrap(
          api.command.PATCH("/customers/{id}", {
            params: { path: { id }, header: { "If-Match": ifMatch(version) } },
            body,
          }),
        )
      ).data,
    onSuccess: afterWrite,
  });
}

export function useCustomerLifecycle(id: string) {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ action, version }: { action: "archive" | "reactivate"; version: number }) => {
      const params = { path: { id }, header: { "If-Match": ifMatch(version) } };
      const call =
        action === "archive"
          ? api.command.POST("/customers/{id}/archive", { params })
          : api.command.POST("/customers/{id}/reactivate", { params });
      return (await unwrap(call)).data;
    },
    onSuccess: afterWrite,
  });
}

/** The CSV export with the list's filters. */
export function useCustomerExport() {
  const { api } = useServices();
  return (filters: Pick<CustomerFilters, "q" | "status">) =>
    blobOf(
      api.read.GET("/customers/export", {
        params: { query: { ...(filters.q ? { q: filters.q } : {}), ...(filters.status ? { status: filters.status } : {}) } },
        parseAs: "blob",
      }),
    );
}
