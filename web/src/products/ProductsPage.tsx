import { useMemo } from "react";
import { Anchor, Button, Select, TextInput } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { ListPage, type Column } from "../components/ListPage";
import { ArchiveStatusBadge, ArchiveStatusSelect } from "../components/StatusBadge";
import { useKeysetPaging } from "../components/useKeysetPaging";
import { useDebouncedFields } from "../components/useDebouncedFields";
import type { ProductRow } from "../api/types";
import { useProductList } from "./api";
import {
  SORTS,
  filtersFromSearch,
  filtersToSearch,
  type ProductFilters,
  type ProductSort,
} from "./listParams";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { ProductCsvActions } from "./ProductCsvActions";

export function ProductsPage() {
  const i18n = useI18n();
  const me = useMe();
  useDocumentTitle(i18n.t("products.title"));
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const paging = useKeysetPaging(filtersToSearch(filters).toString());
  const list = useProductList(filters, paging.after);

  const setFilters = (patch: Partial<ProductFilters>) =>
    setSearch(filtersToSearch({ ...filters, ...patch }), { replace: true });
  // Text fields update the URL once typing pauses.
  const [text, setText] = useDebouncedFields({ q: filters.q, category: filters.category }, setFilters);

  const writable = can(me.data?.permissions, "catalogue:write");
  const columns: Column<ProductRow>[] = [
    { header: i18n.t("products.col.sku"), cell: (p) => p.sku, mono: true },
    {
      header: i18n.t("products.col.name"),
      cell: (p) => (
        <Anchor component={Link} to={`/products/${p.id}`}>
          {p.name}
        </Anchor>
      ),
    },
    { header: i18n.t("products.col.category"), cell: (p) => p.category },
    { header: i18n.t("products.col.price"), cell: (p) => i18n.money(p.price), align: "right", testId: "price" },
    { header: i18n.t("products.col.vat"), cell: (p) => i18n.percent(p.vat_rate), align: "right" },
    { header: i18n.t("products.col.status"), cell: (p) => <ArchiveStatusBadge status={p.status} /> },
    { header: i18n.t("products.col.updated"), cell: (p) => i18n.dateTime(p.updated_at) },
  ];

  return (
    <ListPage
      title={i18n.t("products.title")}
      actions={
        <>
          <ProductCsvActions filters={filters} writable={writable} />
          {writable && (
            <Button component={Link} to="/products/new">
              {i18n.t("products.new")}
            </Button>
          )}
        </>
      }
      filters={
        <>
          <TextInput
            label={i18n.t("products.search")}
            type="search"
            value={text.q}
            onChange={(e) => setText("q", e.currentTarget.value)}
            w={260}
          />
          <ArchiveStatusSelect value={filters.status} onChange={(status) => setFilters({ status })} />
          <TextInput
            label={i18n.t("products.category")}
            value={text.category}
            onChange={(e) => setText("category", e.currentTarget.value)}
            w={180}
          />
          <Select
            label={i18n.t("products.sort")}
            value={filters.sort}
            onChange={(value) => value && setFilters({ sort: value as ProductSort })}
            data={SORTS.map((sort) => ({
              value: sort,
              label: i18n.t(`products.sort.${sort}` as const),
            }))}
            allowDeselect={false}
            w={220}
          />
        </>
      }
      query={list}
      count={(total) => i18n.t("products.total", { count: i18n.number(total) })}
      caption={i18n.t("products.caption")}
      columns={columns}
      rowKey={(p) => p.id}
      rowTestId={(p) => `product-${p.sku}`}
      empty={i18n.t("products.empty")}
      pager={(page) => paging.pager(i18n.t("products.paging"), page.next_after, list.isPlaceholderData)}
    />
  );
}
