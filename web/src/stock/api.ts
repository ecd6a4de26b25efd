// Stock levels and movements (read-api), adjustments (command-api).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import type { components as R } from "../api/generated/read-api";

export type StockLevel = R["schemas"]["StockLevelRow"];
export type StockPage = R["schemas"]["Page_StockLevelRow"];
export type MovementPage = R["schemas"]["Page_StockMovementRow"];
export type AdjustmentReason = R["schemas"]["AdjustmentReason"];

export const REASONS: readonly AdjustmentReason[] = ["receipt", "inventory_count", "loss", "return", "correction"];
export const STOCK_PAGE = 25;

export interface StockFilters {
  q: string;
  low: boolean;
  page: number;
}

/** The levels (the list takes no min_version: a level changed here is re-read by its page). */
export function useStockList(f: StockFilters) {
  const { api } = useServices();
  return useQuery({
    queryKey: ["stock", "list", f],
    queryFn: async ({ signal }): Promise<StockPage> => {
      const query = {
        page: f.page,
        limit: STOCK_PAGE,
        ...(f.q ? { q: f.q } : {}),
        ...(f.low ? { low: true } : {}),
      };
      return (await unwrap(api.read.GET("/stock", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

export function useStockLevel(id: string) {
  const { api, writes } = useServices();
  return useQuery({
    queryKey: ["stock", "detail", id],
    queryFn: async ({ signal }): Promise<StockLevel> => {
      const min = writes.versionOf(`stock:${id}`);
      const query = min === undefined ? {} : { min_version: String(min) };
      return (await unwrap(api.read.GET("/stock/{id}", { params: { path: { id }, query }, signal }))).data;
    },
  });
}

export function useMovements(id: string, page: number, version: number | undefined) {
  const { api } = useServices();
  return useQuery({
    // Keyed by the level's version: movements are read again once the level shows a change.
    queryKey: ["stock", "movements", id, page, version],
    enabled: version !== undefined,
    queryFn: async ({ signal }): Promise<MovementPage> =>
      (
        await unwrap(
          api.read.GET("/stock/{id}/movements", { params: { path: { id }, query: { page, limit: 20 } }, signal }),
        )
      ).data,
    placeholderData: keepPreviousData,
  });
}

export function useAdjustStock(id: string) {
  const { api, writes } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { quantity: string; reason: AdjustmentReason; comment?: string | null }) =>
      (await unwrap(api.command.POST("/stock/{id}/adjustments", { params: { path: { id } }, body }))).data,
    onSuccess: (result) => {
      writes.record("stock", `stock:${id}`, result.version);
      void queryClient.invalidateQueries({ queryKey: ["stock"] });
    },
  });
}
