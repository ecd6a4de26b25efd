import { Button } from "@mantine/core";
import { Link } from "react-router";
import { useServices } from "../ServicesContext";
import { useI18n } from "../i18n/useI18n";
import { DownloadButton } from "../csv/ExportButton";
import { blobOf, datedName } from "../lib/download";
import type { ProductFilters } from "./listParams";

/** The list's CSV export (with its filters) and the way to the import. */
export function ProductCsvActions({ filters, writable }: { filters: ProductFilters; writable: boolean }) {
  const i18n = useI18n();
  const { api } = useServices();
  const load = () =>
    blobOf(
      api.read.GET("/products/export", {
        params: {
          query: {
            ...(filters.status ? { status: filters.status } : {}),
            ...(filters.category ? { category: filters.category } : {}),
            ...(filters.q ? { q: filters.q } : {}),
          },
        },
        parseAs: "blob",
      }),
    );
  return (
    <>
      <DownloadButton label={i18n.t("csv.export")} name={datedName("products", "csv")} load={load} />
      {writable && (
        <Button component={Link} to="/products/import" variant="default">
          {i18n.t("csv.import")}
        </Button>
      )}
    </>
  );
}
