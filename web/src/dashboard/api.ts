// The sales dashboard (read-api, admin and analyst) and its CSV exports.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import type { components as R } from "../api/generated/read-api";
import { blobOf } from "../lib/download";

export type Granularity = R["schemas"]["Granularity"];
export type SalesSeries = R["schemas"]["SalesSeries"];
export type TopProducts = R["schemas"]["Top_TopProduct"];
export type TopCustomers = R["schemas"]["Top_TopCustomer"];
export type OrdersByStatus = R["schemas"]["OrdersByStatus"];
export type StockAlerts = R["schemas"]["StockAlerts"];
export type ReceivablesSummary = R["schemas"]["ReceivablesSummary"];

export interface Period {
  from: string;
  to: string;
  granularity: Granularity;
}

export type Series = "sales" | "top-products" | "top-customers" | "orders-by-status" | "stock-alerts";

function periodQuery(p: Period) {
  return { ...(p.from ? { from: p.from } : {}), ...(p.to ? { to: p.to } : {}) };
}

export function useDashboard(p: Period) {
  const { api } = useServices();
  const q = periodQuery(p);
  const opts = { placeholderData: keepPreviousData } as const;
  const sales = useQuery({
    queryKey: ["dashboard", "sales", p],
    queryFn: async ({ signal }): Promise<SalesSeries> =>
      (await unwrap(api.read.GET("/dashboard/sales", { params: { query: { ...q, granularity: p.granularity } }, signal }))).data,
    ...opts,
  });
  const topProducts = useQuery({
    queryKey: ["dashboard", "top-products", p],
    queryFn: async ({ signal }): Promise<TopProducts> =>
      (await unwrap(api.read.GET("/dashboard/top-products", { params: { query: { ...q, by: "revenue", limit: 10 } }, signal }))).data,
    ...opts,
  });
  const topCustomers = useQuery({
    queryKey: ["dashboard", "top-customers", p],
    queryFn: async ({ signal }): Promise<TopCustomers> =>
      (await unwrap(api.read.GET("/dashboard/top-customers", { params: { query: { ...q, by: "revenue", limit: 10 } }, signal }))).data,
    ...opts,
  });
  const byStatus = useQuery({
    queryKey: ["dashboard", "orders-by-status", p],
    queryFn: async ({ signal }): Promise<OrdersByStatus> =>
      (await unwrap(api.read.GET("/dashboard/orders-by-status", { params: { query: q }, signal }))).data,
    ...opts,
  });
  const alerts = useQuery({
    queryKey: ["dashboard", "stock-alerts"],
    queryFn: async ({ signal }): Promise<StockAlerts> =>
      (await unwrap(api.read.GET("/dashboard/stock-alerts", { params: { query: { limit: 20 } }, signal }))).data,
  });
  return { sales, topProducts, topCustomers, byStatus, alerts };
}

/**
 * The days from `from` to `to`, both included, as the DSO's window over the period shown
 * (1 to 730, what the API takes); none when either day is missing or they are reversed.
 */
export function periodDays(from: string, to: string): number | undefined {
  if (!from || !to) return undefined;
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
  return Number.isFinite(days) && days >= 1 ? Math.min(days, 730) : undefined;
}

/** Receivables, overdue, aging and DSO as of the period's last day, the DSO over the period. */
export function useReceivablesSummary(p: Period) {
  const { api } = useServices();
  const days = periodDays(p.from, p.to);
  const query = { ...(p.to ? { as_of: p.to } : {}), ...(days ? { days } : {}) };
  return useQuery({
    queryKey: ["dashboard", "receivables", query],
    queryFn: async ({ signal }): Promise<ReceivablesSummary> =>
      (await unwrap(api.read.GET("/dashboard/receivables", { params: { query }, signal }))).data,
    placeholderData: keepPreviousData,
  });
}

export function useDashboardExport() {
  const { api } = useServices();
  return (series: Series, p: Period): Promise<Blob> => {
    const q = periodQuery(p);
    switch (series) {
      case "sales":
        return blobOf(api.read.GET("/dashboard/sales/export", { params: { query: { ...q, granularity: p.granularity } }, parseAs: "blob" }));
      case "top-products":
        return blobOf(api.read.GET("/dashboard/top-products/export", { params: { query: { ...q, by: "revenue", limit: 10 } }, parseAs: "blob" }));
      case "top-customers":
        return blobOf(api.read.GET("/dashboard/top-customers/export", { params: { query: { ...q, by: "revenue", limit: 10 } }, parseAs: "blob" }));
      case "orders-by-status":
        return blobOf(api.read.GET("/dashboard/orders-by-status/export", { params: { query: q }, parseAs: "blob" }));
      case "stock-alerts":
        return blobOf(api.read.GET("/dashboard/stock-alerts/export", { params: { query: { limit: 20 } }, parseAs: "blob" }));
    }
  };
}
