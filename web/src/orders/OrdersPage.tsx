import { useEffect, useState } from "react";
import { Anchor, Button, Group, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { QueryStatus } from "../components/QueryStatus";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { ORDER_PAGE, ORDER_STATUSES, useOrderList, type OrderFilters, type OrderStatus } from "./api";
import { OrderStatusBadge } from "./OrderStatusBadge";
import { CustomerPicker } from "../components/CustomerPicker";
import { plural } from "../components/Quantity";
import { DateField } from "../components/DateField";
import { isIsoDate } from "../lib/dateInput";

function filtersFrom(s: URLSearchParams): OrderFilters {
  const status = s.get("status");
  return {
    status: (ORDER_STATUSES as readonly string[]).includes(status ?? "") ? (status as OrderStatus) : null,
    customer: s.get("customer"),
    from: isIsoDate(s.get("from") ?? "") ? (s.get("from") as string) : "",
    to: isIsoDate(s.get("to") ?? "") ? (s.get("to") as string) : "",
    q: s.get("q") ?? "",
    page: Math.max(1, Number(s.get("page") ?? "1") || 1),
  };
}

export function OrdersPage() {
  const i18n = useI18n();
  const me = useMe();
  useDocumentTitle(i18n.t("orders.title"));
  const [search, setSearch] = useSearchParams();
  const filters = filtersFrom(search);
  const set = (patch: Partial<OrderFilters>) => {
    const next = { ...filters, page: 1, ...patch };
    const s = new URLSearchParams();
    if (next.status) s.set("status", next.status);
    if (next.customer) s.set("customer", next.customer);
    if (next.from) s.set("from", next.from);
    if (next.to) s.set("to", next.to);
    if (next.q) s.set("q", next.q);
    if (next.page > 1) s.set("page", String(next.page));
    setSearch(s, { replace: true });
  };
  const [q, setQ] = useState(filters.q);
  const [debouncedQ] = useDebouncedValue(q, 300);
  useEffect(() => {
    if (debouncedQ.trim() !== filters.q) set({ q: debouncedQ.trim() });
  }, [debouncedQ]);
  const list = useOrderList(filters);
  const page = list.data;
  const pages = page ? Math.max(1, Math.ceil(page.total / ORDER_PAGE)) : 1;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{i18n.t("orders.title")}</Title>
        {can(me.data?.permissions, "orders:write") && (
          <Button component={Link} to="/orders/new">
            {i18n.t("orders.new")}
          </Button>
        )}
      </Group>
      <Group align="flex-end" role="search">
        <TextInput label={i18n.t("orders.search")} type="search" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={240} />
        <Select
          label={i18n.t("products.status")}
          value={filters.status ?? "all"}
          onChange={(v) => set({ status: v && v !== "all" ? (v as OrderStatus) : null })}
          data={[
            { value: "all", label: i18n.t("products.status.all") },
            ...ORDER_STATUSES.map((s) => ({ value: s, label: i18n.t(`order.status.${s}`) })),
          ]}
          allowDeselect={false}
          w={160}
        />
        <CustomerPicker label={i18n.t("order.customer")} value={filters.customer} onChange={(id) => set({ customer: id })} w={240} />
        <DateField label={i18n.t("orders.from")} value={filters.from} onChange={(v) => set({ from: v ?? "" })} w={150} />
        <DateField label={i18n.t("orders.to")} value={filters.to} onChange={(v) => set({ to: v ?? "" })} w={150} />
      </Group>
      <QueryStatus query={list} />
      {page && (
        <>
          <Text size="sm" aria-live="polite">
            {i18n.t(plural(page.total, i18n.lang, { one: "orders.total.one", other: "orders.total.other" }), { count: i18n.number(page.total) })}
          </Text>
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover>
              <VisuallyHidden component="caption">{i18n.t("orders.title")}</VisuallyHidden>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{i18n.t("order.number")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("order.customer")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.status")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("order.lines")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("order.totalNet")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("order.totalGross")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("orders.created.col")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((o) => (
                  <Table.Tr key={o.id} data-testid={`order-${o.number}`}>
                    <Table.Td ff="monospace">
                      <Anchor component={Link} to={`/orders/${o.id}`}>
                        {o.number}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{o.customer_name ? `${o.customer_code} — ${o.customer_name}` : "—"}</Table.Td>
                    <Table.Td>
                      <OrderStatusBadge status={o.status} />
                    </Table.Td>
                    <Table.Td ta="right">{o.line_count}</Table.Td>
                    <Table.Td ta="right">{i18n.money(o.total_net)}</Table.Td>
                    <Table.Td ta="right">{i18n.money(o.total_gross)}</Table.Td>
                    <Table.Td>{i18n.dateTime(o.created_at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page.items.length === 0 && <Text c="dimmed">{i18n.t("orders.empty")}</Text>}
          <Group justify="space-between" component="nav" aria-label={i18n.t("orders.paging")}>
            <Button variant="default" disabled={filters.page <= 1} onClick={() => set({ page: filters.page - 1 })}>
              {i18n.t("products.previous")}
            </Button>
            <Text size="sm">{i18n.t("customers.pageOf", { page: filters.page, pages })}</Text>
            <Button variant="default" disabled={filters.page >= pages || list.isPlaceholderData} onClick={() => set({ page: filters.page + 1 })}>
              {i18n.t("products.next")}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
