import { useEffect, useMemo, useRef, useState } from "react";
import {
  Anchor,
  Button,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { QueryStatus } from "../components/QueryStatus";
import { useProductList } from "./api";
import { StatusBadge } from "./StatusBadge";
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
  const filterKey = filtersToSearch(filters).toString();

  // Keyset paging: the cursors of the pages before this one, forgotten when filters change.
  const [paging, setPaging] = useState<{ key: string; cursors: string[] }>({
    key: filterKey,
    cursors: [],
  });
  if (paging.key !== filterKey) setPaging({ key: filterKey, cursors: [] });
  const cursors = paging.key === filterKey ? paging.cursors : [];
  const after = cursors.at(-1) ?? null;
  const list = useProductList(filters, after);

  const setFilters = (patch: Partial<ProductFilters>) =>
    setSearch(filtersToSearch({ ...filters, ...patch }), { replace: true });

  // Text fields update the URL once typing pauses.
  const [q, setQ] = useState(filters.q);
  const [category, setCategory] = useState(filters.category);
  const [debouncedQ] = useDebouncedValue(q, 300);
  const [debouncedCategory] = useDebouncedValue(category, 300);
  const pushed = useRef({ q: filters.q, category: filters.category });
  useEffect(() => {
    if (debouncedQ.trim() !== filters.q || debouncedCategory.trim() !== filters.category) {
      pushed.current = { q: debouncedQ.trim(), category: debouncedCategory.trim() };
      setFilters({ q: debouncedQ, category: debouncedCategory });
    }
  }, [debouncedQ, debouncedCategory]);
  // The URL changed from elsewhere (back, forward, a link): show its values. What this
  // page pushed itself is left alone, as the person may have typed on meanwhile.
  useEffect(() => {
    if (filters.q !== pushed.current.q) setQ(filters.q);
    if (filters.category !== pushed.current.category) setCategory(filters.category);
    pushed.current = { q: filters.q, category: filters.category };
  }, [filters.q, filters.category]);

  const page = list.data;
  const writable = can(me.data?.permissions, "catalogue:write");

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{i18n.t("products.title")}</Title>
        <Group>
          <ProductCsvActions filters={filters} writable={writable} />
          {writable && (
            <Button component={Link} to="/products/new">
              {i18n.t("products.new")}
            </Button>
          )}
        </Group>
      </Group>

      <Group align="flex-end" role="search">
        <TextInput
          label={i18n.t("products.search")}
          type="search"
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          w={260}
        />
        <Select
          label={i18n.t("products.status")}
          value={filters.status ?? "all"}
          onChange={(value) =>
            setFilters({ status: value === "active" || value === "archived" ? value : null })
          }
          data={[
            { value: "all", label: i18n.t("products.status.all") },
            { value: "active", label: i18n.t("products.status.active") },
            { value: "archived", label: i18n.t("products.status.archived") },
          ]}
          allowDeselect={false}
          w={150}
        />
        <TextInput
          label={i18n.t("products.category")}
          value={category}
          onChange={(e) => setCategory(e.currentTarget.value)}
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
      </Group>

      <QueryStatus query={list} />

      {page && (
        <>
          <Text size="sm" aria-live="polite">
            {i18n.t("products.total", { count: i18n.number(page.total) })}
          </Text>
          <Table.ScrollContainer minWidth={720}>
            <Table striped highlightOnHover>
              <VisuallyHidden component="caption">{i18n.t("products.caption")}</VisuallyHidden>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.name")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.category")}</Table.Th>
                  <Table.Th scope="col" ta="right">
                    {i18n.t("products.col.price")}
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    {i18n.t("products.col.vat")}
                  </Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.status")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("products.col.updated")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((product) => (
                  <Table.Tr key={product.id} data-testid={`product-${product.sku}`}>
                    <Table.Td ff="monospace">{product.sku}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/products/${product.id}`}>
                        {product.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{product.category}</Table.Td>
                    <Table.Td ta="right" data-testid="price">
                      {i18n.money(product.price)}
                    </Table.Td>
                    <Table.Td ta="right">{i18n.percent(product.vat_rate)}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={product.status} />
                    </Table.Td>
                    <Table.Td>{i18n.dateTime(product.updated_at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page.items.length === 0 && <Text c="dimmed">{i18n.t("products.empty")}</Text>}
          <Group justify="space-between" component="nav" aria-label={i18n.t("products.paging")}>
            <Button
              variant="default"
              disabled={cursors.length === 0}
              onClick={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}
            >
              {i18n.t("products.previous")}
            </Button>
            <Text size="sm">{i18n.t("products.pageN", { page: cursors.length + 1 })}</Text>
            <Button
              variant="default"
              disabled={!page.next_after || list.isPlaceholderData}
              onClick={() =>
                page.next_after &&
                setPaging({ key: filterKey, cursors: [...cursors, page.next_after] })
              }
            >
              {i18n.t("products.next")}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
