// CSV import (command-api, dry run then for real) and export (read-api) of products and
// customers.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import type { components } from "../api/generated/command-api";

export type ImportReport = components["schemas"]["ImportReport"];
export type ImportKind = "products" | "customers";

export function useCsvImport(kind: ImportKind) {
  const { api } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ csv, dryRun }: { csv: string; dryRun: boolean }): Promise<ImportReport> => {
      const init = {
        params: { query: { dry_run: dryRun } },
        body: csv,
        bodySerializer: (body: string) => body,
        headers: { "content-type": "text/csv" },
      };
      const call =
        kind === "products"
          ? api.command.POST("/products/import", init)
          : api.command.POST("/customers/import", init);
      return (await unwrap(call)).data;
    },
    onSuccess: (report) => {
      if (!report.dry_run) void queryClient.invalidateQueries({ queryKey: [kind] });
    },
  });
}
