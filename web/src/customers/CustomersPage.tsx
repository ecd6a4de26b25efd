import { useMemo } from "react";
import { Anchor, Button, Select, TextInput } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { ListPage, type Column } from "../components/ListPage";
import { offsetPager } from "../components/Pager";
import { ArchiveStatusBadge, ArchiveStatusSelect } from "../components/StatusBadge";
import { useDebouncedFields } from "../components/useDebouncedFields";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { DownloadButton } from "../csv/ExportButton";
import { datedName } from "../lib/download";
import { PAGE_SIZE, useCustomerExport, useCustomerList, type CustomerFilters, type CustomerRow } from "./api";

const SORTS = ["code", "-code", "name", "-name"] as const;

function filtersFrom(search: URLSearchParams): CustomerFilters {
  const status = search.get("status");
  const sort = search.get("sort");
  const page = Number(search.get("page") ?? "1");
  return {
    q: search.get("q") ?? "",
    status: status === "active" || status === "archived" ? status : null,
    sort: (SORTS as readonly string[]).includes(sort ?? "") ? (sort as CustomerFilters["sort"]) : "code",
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function toSearch(f: CustomerFilters): URLSearchParams {
  const s = new URLSearchParams();
  if (f.q) s.set("q", f.q);
  if (f.status) s.set("status", f.status);
  if (f.sort !== "code") s.set("sort", f.sort);
  if (f.page > 1) s.set("page", String(f.page));
  return s;
}

export function CustomersPage() {
  const i18n = useI18n();
  const me = useMe();
  useDocumentTitle(i18n.t("customers.title"));
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFrom(search), [search]);
  const list = useCustomerList(filters);
  const exportCsv = useCustomerExport();
  const setFilters = (patch: Partial<CustomerFilters>) =>
    setSearch(toSearch({ ...filters, page: 1, ...patch }), { replace: true });
  const [text, setText] = useDebouncedFields({ q: filters.q }, setFilters);

  const writable = can(me.data?.permissions, "catalogue:write");
  const columns: Column<CustomerRow>[] = [
    { header: i18n.t("customer.code"), cell: (c) => c.code, mono: true },
    {
      header: i18n.t("customer.legal_name"),
      cell: (c) => (
        <Anchor component={Link} to={`/customers/${c.id}`}>
          {c.legal_name}
        </Anchor>
      ),
    },
    { header: i18n.t("customer.siret"), cell: (c) => c.siret ?? "", mono: true },
    { header: i18n.t("customer.city"), cell: (c) => c.billing_address?.city ?? "" },
    { header: i18n.t("customer.payment_terms"), cell: (c) => i18n.t(`terms.${c.payment_terms}`) },
    {
      header: i18n.t("customer.credit_limit"),
      cell: (c) => (c.credit_limit ? i18n.money(c.credit_limit) : ""),
      align: "right",
    },
    { header: i18n.t("products.col.status"), cell: (c) => <ArchiveStatusBadge status={c.status} /> },
  ];

  return (
    <ListPage
      title={i18n.t("customers.title")}
      actions={
        <>
          <DownloadButton
            label={i18n.t("csv.export")}
            name={datedName("customers", "csv")}
            load={() => exportCsv(filters)}
          />
          {writable && (
            <Button component={Link} to="/customers/import" variant="default">
              {i18n.t("csv.import")}
            </Button>
          )}
          {writable && (
            <Button component={Link} to="/customers/new">
              {i18n.t("customers.new")}
            </Button>
          )}
        </>
      }
      filters={
        <>
          <TextInput
            label={i18n.t("customers.search")}
            type="search"
            value={text.q}
            onChange={(e) => setText("q", e.currentTarget.value)}
            w={300}
          />
          <ArchiveStatusSelect value={filters.status} onChange={(status) => setFilters({ status })} />
          <Select
            label={i18n.t("products.sort")}
            value={filters.sort}
            onChange={(v) => v && setFilters({ sort: v as CustomerFilters["sort"] })}
            data={SORTS.map((s) => ({ value: s, label: i18n.t(`customers.sort.${s}`) }))}
            allowDeselect={false}
            w={200}
          />
        </>
      }
      query={list}
      count={(total) => i18n.t("customers.total", { count: i18n.number(total) })}
      caption={i18n.t("customers.title")}
      columns={columns}
      rowKey={(c) => c.id}
      rowTestId={(c) => `customer-${c.code}`}
      empty={i18n.t("customers.empty")}
      pager={(page) =>
        offsetPager({
          label: i18n.t("customers.paging"),
          page: filters.page,
          total: page.total,
          pageSize: PAGE_SIZE,
          busy: list.isPlaceholderData,
          onPage: (p) => setFilters({ page: p }),
        })
      }
    />
  );
}
