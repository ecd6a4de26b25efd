// The product list's filters, kept in the URL so that a list can be shared and reloaded.
import type { ProductStatus } from "../api/types";

export const SORTS = [
  "name",
  "-name",
  "sku",
  "-sku",
  "price",
  "-price",
  "updated",
  "-updated",
] as const;
export type ProductSort = (typeof SORTS)[number];

export const STATUSES: readonly ProductStatus[] = ["active", "archived"];

export const PAGE_SIZE = 25;

export interface ProductFilters {
  q: string;
  status: ProductStatus | null;
  category: string;
  sort: ProductSort;
}

export const DEFAULT_FILTERS: ProductFilters = { q: "", status: "active", category: "", sort: "name" };

/** URL → filters; anything unknown falls back to the default. `status=all` means no filter. */
export function filtersFromSearch(search: URLSearchParams): ProductFilters {
  const status = search.get("status");
  const sort = search.get("sort");
  return {
    q: search.get("q") ?? "",
    status:
      status === "all"
        ? null
        : (STATUSES as readonly string[]).includes(status ?? "")
          ? (status as ProductStatus)
          : DEFAULT_FILTERS.status,
    category: search.get("category") ?? "",
    sort: (SORTS as readonly string[]).includes(sort ?? "") ? (sort as ProductSort) : DEFAULT_FILTERS.sort,
  };
}

/** Filters → URL, leaving defaults out. */
export function filtersToSearch(filters: ProductFilters): URLSearchParams {
  const search = new URLSearchParams();
  if (filters.q.trim()) search.set("q", filters.q.trim());
  if (filters.status !== DEFAULT_FILTERS.status) search.set("status", filters.status ?? "all");
  if (filters.category.trim()) search.set("category", filters.category.trim());
  if (filters.sort !== DEFAULT_FILTERS.sort) search.set("sort", filters.sort);
  return search;
}

/** The read-api query for one page: keyset paging from `after` (the previous page's next_after). */
export function listQuery(filters: ProductFilters, after: string | null, minVersion?: string) {
  return {
    limit: PAGE_SIZE,
    sort: filters.sort,
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.category.trim() ? { category: filters.category.trim() } : {}),
    ...(after ? { after } : {}),
    ...(minVersion ? { min_version: minVersion } : {}),
  };
}
