// What each customer still owes as of a day, aged by days past due (not yet due, 1–30,
// 31–60, 61–90, over 90), most owed first, with the totals over every customer.
import { useMemo } from "react";
import { Anchor, Table, Text } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { ListPage, type Column } from "../components/ListPage";
import { offsetPager } from "../components/Pager";
import { CustomerPicker } from "../components/CustomerPicker";
import { DateField } from "../components/DateField";
import { plural } from "../components/Quantity";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { isIsoDate, parisDay } from "../lib/dateInput";
import { RECEIVABLES_PAGE, useReceivables, type AgedReceivables, type CustomerAging, type ReceivablesFilters } from "./api";

const BUCKETS = ["current", "days_1_30", "days_31_60", "days_61_90", "over_90"] as const;

function filtersFrom(s: URLSearchParams): ReceivablesFilters {
  const page = Number(s.get("page") ?? "1");
  return {
    asOf: isIsoDate(s.get("as_of") ?? "") ? (s.get("as_of") as string) : "",
    customer: s.get("customer"),
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function toSearch(f: ReceivablesFilters): URLSearchParams {
  const s = new URLSearchParams();
  if (f.asOf) s.set("as_of", f.asOf);
  if (f.customer) s.set("customer", f.customer);
  if (f.page > 1) s.set("page", String(f.page));
  return s;
}

export function ReceivablesPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("receivables.title"));
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFrom(search), [search]);
  const list = useReceivables(filters);
  const setFilters = (patch: Partial<ReceivablesFilters>) => setSearch(toSearch({ ...filters, page: 1, ...patch }), { replace: true });

  const columns: Column<CustomerAging>[] = [
    {
      header: i18n.t("receivables.col.customer"),
      cell: (c) => (
        <Anchor component={Link} to={`/invoices?customer=${encodeURIComponent(c.customer_id)}`}>
          {c.code} — {c.name}
        </Anchor>
      ),
    },
    { header: i18n.t("receivables.col.invoices"), cell: (c) => i18n.number(c.invoices), align: "right" },
    ...BUCKETS.map(
      (b): Column<CustomerAging> => ({
        header: i18n.t(`receivables.col.${b}`),
        cell: (c) => i18n.money(c[b]),
        align: "right",
        testId: b,
      }),
    ),
    { header: i18n.t("receivables.col.total"), cell: (c) => <strong>{i18n.money(c.total)}</strong>, align: "right", testId: "total" },
    { header: i18n.t("receivables.col.oldest"), cell: (c) => i18n.date(c.oldest_due_date) },
  ];

  return (
    <ListPage
      title={i18n.t("receivables.title")}
      filters={
        <>
          <DateField
            label={i18n.t("receivables.asOf")}
            value={filters.asOf}
            onChange={(v) => setFilters({ asOf: v ?? "" })}
            w={190}
          />
          <CustomerPicker label={i18n.t("order.customer")} value={filters.customer} onChange={(id) => setFilters({ customer: id })} w={280} anyStatus />
        </>
      }
      notice={
        <Text size="sm" c="dimmed" data-testid="amounts-note">
          {i18n.t("receivables.note")}
        </Text>
      }
      query={list}
      count={(total) =>
        i18n.t(plural(total, i18n.lang, { one: "receivables.count.one", other: "receivables.count.other" }), {
          count: i18n.number(total),
          date: i18n.date(list.data?.as_of ?? (filters.asOf || parisDay())),
        })
      }
      caption={i18n.t("receivables.title")}
      columns={columns}
      rowKey={(c) => c.customer_id}
      rowTestId={(c) => `receivable-${c.code}`}
      empty={i18n.t("receivables.empty")}
      footer={(page) => <TotalsRow page={page} />}
      pager={(page) =>
        offsetPager({
          label: i18n.t("receivables.paging"),
          page: filters.page,
          total: page.total,
          pageSize: RECEIVABLES_PAGE,
          busy: list.isPlaceholderData,
          onPage: (p) => setFilters({ page: p }),
        })
      }
      minWidth={1000}
    />
  );
}

/** Every customer's, not only this page's. */
function TotalsRow({ page }: { page: AgedReceivables }) {
  const i18n = useI18n();
  const t = page.totals;
  return (
    <Table.Tr data-testid="receivables-totals" fw={700}>
      <Table.Th scope="row">{i18n.t("receivables.totals")}</Table.Th>
      <Table.Td ta="right">{i18n.number(t.invoices)}</Table.Td>
      {BUCKETS.map((b) => (
        <Table.Td key={b} ta="right">
          {i18n.money(t[b])}
        </Table.Td>
      ))}
      <Table.Td ta="right" data-testid="total">
        {i18n.money(t.total)}
      </Table.Td>
      <Table.Td />
    </Table.Tr>
  );
}
