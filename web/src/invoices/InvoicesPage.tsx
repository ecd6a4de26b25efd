import { useMemo } from "react";
import { Anchor, Select, TextInput } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { ListPage, type Column } from "../components/ListPage";
import { useKeysetPaging } from "../components/useKeysetPaging";
import { useDebouncedFields } from "../components/useDebouncedFields";
import { CustomerPicker } from "../components/CustomerPicker";
import { DateField } from "../components/DateField";
import { plural } from "../components/Quantity";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { isIsoDate } from "../lib/dateInput";
import { INVOICE_SORTS, useInvoiceList, type InvoiceFilters, type InvoiceSort } from "./api";
import { INVOICE_STATUSES, type InvoiceRow, type InvoiceStatus } from "./model";
import { InvoiceStatusBadge } from "./InvoiceStatusBadge";

function filtersFrom(s: URLSearchParams): InvoiceFilters {
  const status = s.get("status");
  const sort = s.get("sort");
  const day = (name: string) => (isIsoDate(s.get(name) ?? "") ? (s.get(name) as string) : "");
  return {
    status: (INVOICE_STATUSES as readonly string[]).includes(status ?? "") ? (status as InvoiceStatus) : null,
    customer: s.get("customer"),
    from: day("from"),
    to: day("to"),
    q: s.get("q") ?? "",
    sort: (INVOICE_SORTS as readonly string[]).includes(sort ?? "") ? (sort as InvoiceSort) : "-issued",
  };
}

function toSearch(f: InvoiceFilters): URLSearchParams {
  const s = new URLSearchParams();
  if (f.q) s.set("q", f.q);
  if (f.status) s.set("status", f.status);
  if (f.customer) s.set("customer", f.customer);
  if (f.from) s.set("from", f.from);
  if (f.to) s.set("to", f.to);
  if (f.sort !== "-issued") s.set("sort", f.sort);
  return s;
}

export function InvoicesPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("invoices.title"));
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFrom(search), [search]);
  const paging = useKeysetPaging(toSearch(filters).toString());
  const list = useInvoiceList(filters, paging.after);
  const setFilters = (patch: Partial<InvoiceFilters>) => setSearch(toSearch({ ...filters, ...patch }), { replace: true });
  const [text, setText] = useDebouncedFields({ q: filters.q }, setFilters);

  const columns: Column<InvoiceRow>[] = [
    {
      header: i18n.t("order.number"),
      cell: (inv) => (
        <Anchor component={Link} to={`/invoices/${inv.id}`}>
          {inv.number}
        </Anchor>
      ),
      mono: true,
    },
    { header: i18n.t("order.customer"), cell: (inv) => `${inv.customer_code} — ${inv.customer_name}` },
    { header: i18n.t("invoice.order"), cell: (inv) => inv.order_number, mono: true },
    { header: i18n.t("products.col.status"), cell: (inv) => <InvoiceStatusBadge status={inv.status} /> },
    { header: i18n.t("invoices.col.issued"), cell: (inv) => i18n.date(inv.issue_date) },
    { header: i18n.t("invoices.col.due"), cell: (inv) => i18n.date(inv.due_date) },
    { header: i18n.t("order.totalGross"), cell: (inv) => i18n.money(inv.total_gross), align: "right" },
    { header: i18n.t("invoices.col.balance"), cell: (inv) => i18n.money(inv.balance), align: "right", testId: "balance" },
  ];

  return (
    <ListPage
      title={i18n.t("invoices.title")}
      filters={
        <>
          <TextInput
            label={i18n.t("invoices.search")}
            type="search"
            value={text.q}
            onChange={(e) => setText("q", e.currentTarget.value)}
            w={320}
          />
          <Select
            label={i18n.t("products.status")}
            value={filters.status ?? "all"}
            onChange={(v) => setFilters({ status: v && v !== "all" ? (v as InvoiceStatus) : null })}
            data={[
              { value: "all", label: i18n.t("products.status.all") },
              ...INVOICE_STATUSES.map((s) => ({ value: s, label: i18n.t(`invoice.status.${s}`) })),
            ]}
            allowDeselect={false}
            w={190}
          />
          <CustomerPicker label={i18n.t("order.customer")} value={filters.customer} onChange={(id) => setFilters({ customer: id })} w={260} anyStatus />
          <DateField label={i18n.t("invoices.from")} value={filters.from} onChange={(v) => setFilters({ from: v ?? "" })} w={170} />
          <DateField label={i18n.t("invoices.to")} value={filters.to} onChange={(v) => setFilters({ to: v ?? "" })} w={190} />
          <Select
            label={i18n.t("products.sort")}
            value={filters.sort}
            onChange={(v) => v && setFilters({ sort: v as InvoiceSort })}
            data={INVOICE_SORTS.map((s) => ({ value: s, label: i18n.t(`invoices.sort.${s}`) }))}
            allowDeselect={false}
            w={220}
          />
        </>
      }
      query={list}
      count={(total) =>
        i18n.t(plural(total, i18n.lang, { one: "invoices.total.one", other: "invoices.total.other" }), { count: i18n.number(total) })
      }
      caption={i18n.t("invoices.title")}
      columns={columns}
      rowKey={(inv) => inv.id}
      rowTestId={(inv) => `invoice-${inv.number}`}
      empty={i18n.t("invoices.empty")}
      pager={(page) => paging.pager(i18n.t("invoices.paging"), page.next_after, list.isPlaceholderData)}
      minWidth={1000}
    />
  );
}
