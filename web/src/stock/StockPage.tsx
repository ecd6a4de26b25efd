import { useEffect, useState } from "react";
import { Anchor, Badge, Button, Checkbox, Group, Stack, Table, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { QueryStatus } from "../components/QueryStatus";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { formatQuantity, plural } from "../components/Quantity";
import { STOCK_PAGE, useStockList } from "./api";

export function LowBadge({ low, available }: { low: boolean; available: string }) {
  const i18n = useI18n();
  if (Number(available) <= 0)
    return (
      <Badge variant="light" styles={{ root: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-red-1)" } }}>
        {i18n.t("stock.out")}
      </Badge>
    );
  if (!low) return null;
  return (
    <Badge variant="light" styles={{ root: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-orange-1)" } }}>
      {i18n.t("stock.lowBadge")}
    </Badge>
  );
}

export function StockPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("stock.title"));
  const [search, setSearch] = useSearchParams();
  const filters = {
    q: search.get("q") ?? "",
    low: search.get("low") === "true",
    page: Math.max(1, Number(search.get("page") ?? "1") || 1),
  };
  const set = (patch: Partial<typeof filters>) => {
    const next = { ...filters, page: 1, ...patch };
    const s = new URLSearchParams();
    if (next.q) s.set("q", next.q);
    if (next.low) s.set("low", "true");
    if (next.page > 1) s.set("page", String(next.page));
    setSearch(s, { replace: true });
  };
  const [q, setQ] = useState(filters.q);
  const [debouncedQ] = useDebouncedValue(q, 300);
  useEffect(() => {
    if (debouncedQ.trim() !== filters.q) set({ q: debouncedQ.trim() });
  }, [debouncedQ]);
  const list = useStockList(filters);
  const page = list.data;
  const pages = page ? Math.max(1, Math.ceil(page.total / STOCK_PAGE)) : 1;

  return (
    <Stack>
      <Title order={1}>{i18n.t("stock.title")}</Title>
      <Group align="flex-end" role="search">
        <TextInput label={i18n.t("products.search")} type="search" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={280} />
        <Checkbox label={i18n.t("stock.lowOnly")} checked={filters.low} onChange={(e) => set({ low: e.currentTarget.checked })} mb={8} />
      </Group>
      <QueryStatus query={list} />
      {page && (
        <>
          <Text size="sm" aria-live="polite">
            {i18n.t(plural(page.total, i18n.lang, { one: "stock.total.one", other: "stock.total.other" }), { count: i18n.number(page.total) })}
          </Text>
          <Table.ScrollContainer minWidth={720}>
            <Table striped highlightOnHover>
              <VisuallyHidden component="caption">{i18n.t("stock.title")}</VisuallyHidden>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.name")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.category")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("stock.onHand")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("stock.reserved")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("stock.available")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("stock.threshold")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("stock.alert")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((s) => (
                  <Table.Tr key={s.product_id} data-testid={`stock-${s.sku}`}>
                    <Table.Td ff="monospace">{s.sku}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/stock/${s.product_id}`}>
                        {s.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{s.category}</Table.Td>
                    <Table.Td ta="right">{formatQuantity(s.on_hand, s.unit, i18n.lang)}</Table.Td>
                    <Table.Td ta="right">{formatQuantity(s.reserved, s.unit, i18n.lang)}</Table.Td>
                    <Table.Td ta="right" data-testid="available">{formatQuantity(s.available, s.unit, i18n.lang)}</Table.Td>
                    <Table.Td ta="right">{s.low_stock_threshold ? formatQuantity(s.low_stock_threshold, s.unit, i18n.lang) : ""}</Table.Td>
                    <Table.Td>
                      <LowBadge low={s.low} available={s.available} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page.items.length === 0 && <Text c="dimmed">{i18n.t("stock.empty")}</Text>}
          <Group justify="space-between" component="nav" aria-label={i18n.t("stock.paging")}>
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
