import { useEffect, useMemo, useState } from "react";
import { Anchor, Button, Group, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { QueryStatus } from "../components/QueryStatus";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { DownloadButton } from "../csv/ExportButton";
import { datedName } from "../lib/download";
import { PAGE_SIZE, useCustomerExport, useCustomerList, type CustomerFilters } from "./api";
import { CustomerStatusBadge } from "./CustomerPages";

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
  const [q, setQ] = useState(filters.q);
  const [debouncedQ] = useDebouncedValue(q, 300);
  useEffect(() => {
    if (debouncedQ.trim() !== filters.q) setFilters({ q: debouncedQ.trim() });
  }, [debouncedQ]);

  const page = list.data;
  const writable = can(me.data?.permissions, "catalogue:write");
  const pages = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{i18n.t("customers.title")}</Title>
        <Group>
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
        </Group>
      </Group>
      <Group align="flex-end" role="search">
        <TextInput
          label={i18n.t("customers.search")}
          type="search"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          w={300}
        />
        <Select
          label={i18n.t("products.status")}
          value={filters.status ?? "all"}
          onChange={(v) => setFilters({ status: v === "active" || v === "archived" ? v : null })}
          data={[
            { value: "all", label: i18n.t("products.status.all") },
            { value: "active", label: i18n.t("products.status.active") },
            { value: "archived", label: i18n.t("products.status.archived") },
          ]}
          allowDeselect={false}
          w={150}
        />
        <Select
          label={i18n.t("products.sort")}
          value={filters.sort}
          onChange={(v) => v && setFilters({ sort: v as CustomerFilters["sort"] })}
          data={SORTS.map((s) => ({ value: s, label: i18n.t(`customers.sort.${s}`) }))}
          allowDeselect={false}
          w={200}
        />
      </Group>
      <QueryStatus query={list} />
      {page && (
        <>
          <Text size="sm" aria-live="polite">
            {i18n.t("customers.total", { count: i18n.number(page.total) })}
          </Text>
          <Table.ScrollContainer minWidth={720}>
            <Table striped highlightOnHover>
              <VisuallyHidden component="caption">{i18n.t("customers.title")}</VisuallyHidden>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{i18n.t("customer.code")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("customer.legal_name")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("customer.siret")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("customer.city")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("customer.payment_terms")}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {i18n.t("customer.credit_limit")}
                  </Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.status")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((c) => (
                  <Table.Tr key={c.id} data-testid={`customer-${c.code}`}>
                    <Table.Td ff="monospace">{c.code}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/customers/${c.id}`}>
                        {c.legal_name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ff="monospace">{c.siret ?? ""}</Table.Td>
                    <Table.Td>{c.billing_address?.city ?? ""}</Table.Td>
                    <Table.Td>{i18n.t(`terms.${c.payment_terms}`)}</Table.Td>
                    <Table.Td ta="right">{c.credit_limit ? i18n.money(c.credit_limit) : ""}</Table.Td>
                    <Table.Td>
                      <CustomerStatusBadge status={c.status} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page.items.length === 0 && <Text c="dimmed">{i18n.t("customers.empty")}</Text>}
          <Group justify="space-between" component="nav" aria-label={i18n.t("customers.paging")}>
            <Button variant="default" disabled={filters.page <= 1} onClick={() => setFilters({ page: filters.page - 1 })}>
              {i18n.t("products.previous")}
            </Button>
            <Text size="sm">{i18n.t("customers.pageOf", { page: filters.page, pages })}</Text>
            <Button
              variant="default"
              disabled={filters.page >= pages || list.isPlaceholderData}
              onClick={() => setFilters({ page: filters.page + 1 })}
            >
              {i18n.t("products.next")}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
