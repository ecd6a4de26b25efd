// Product reads (read-api) and commands (command-api), with read-your-writes: every
// command records the version it returned, and the next reads wait for it.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import type { CreateProduct, ProductPage, ProductRow, UpdateProduct } from "../api/types";
import { listQuery, type ProductFilters } from "./listParams";
import { ifMatch } from "./model";

export const productKeys = {
  all: ["products"] as const,
  list: (filters: ProductFilters, after: string | null) =>
    ["products", "list", filters, after] as const,
  detail: (id: string) => ["products", "detail", id] as const,
};

export interface CommandResult {
  id: string;
  version: number;
}

export function useProductList(filters: ProductFilters, after: string | null) {
  const { api, writes } = useServices();
  return useQuery({
    queryKey: productKeys.list(filters, after),
    queryFn: async ({ signal }): Promise<ProductPage> => {
      const query = listQuery(filters, after, writes.listMinVersion("product"));
      return (await unwrap(api.read.GET("/products", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

export function useProduct(id: string) {
  const { api, writes } = useServices();
  return useQuery({
    queryKey: productKeys.detail(id),
    queryFn: async ({ signal }): Promise<ProductRow> => {
      const min = writes.versionOf(id);
      const query = min === undefined ? {} : { min_version: String(min) };
      return (
        await unwrap(api.read.GET("/products/{id}", { params: { path: { id }, query }, signal }))
      ).data;
    },
  });
}

/** After a command: remember its version, then refetch what shows products at it. */
function useAfterWrite() {
  const { writes } = useServices();
  const queryClient = useQueryClient();
  return (result: CommandResult) => {
    writes.record("product", result.id, result.version);
    // Not awaited: the next screen shows "still updating" itself if the projection lags.
    void queryClient.invalidateQueries({ queryKey: productKeys.all });
  };
}

export function useCreateProduct() {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async (body: CreateProduct): Promise<CommandResult> =>
      (await unwrap(api.command.POST("/products", { body }))).data,
    onSuccess: afterWrite,
  });
}

export function useUpdateProduct(id: string) {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ body, version }: { body: UpdateProduct; version: number }) =>
      (
        await unwrap(
          api.command.PATCH("/products/{id}", {
            params: { path: { id }, header: { "If-Match": ifMatch(version) } },
            body,
          }),
        )
      ).data,
    onSuccess: afterWrite,
  });
}

export type LifecycleAction = "archive" | "reactivate";

export function useProductLifecycle(id: string) {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ action, version }: { action: LifecycleAction; version: number }) => {
      const params = { path: { id }, header: { "If-Match": ifMatch(version) } };
      const call =
        action === "archive"
          ? api.command.POST("/products/{id}/archive", { params })
          : api.command.POST("/products/{id}/reactivate", { params });
      return (await unwrap(call)).data;
    },
    onSuccess: afterWrite,
  });
}
