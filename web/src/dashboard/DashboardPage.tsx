import { useState } from "react";
import { Anchor, Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import { Link } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { QueryStatus } from "../components/QueryStatus";
import { DownloadButton } from "../csv/ExportButton";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { formatQuantity, plural } from "../components/Quantity";
import { DateField } from "../components/DateField";
import { parisDay } from "../lib/dateInput";
import { BarList, Columns } from "./Bars";
import { ReceivablesCard } from "./ReceivablesCard";
import { useDashboard, useDashboardExport, type Granularity, type Period, type Series } from "./api";

function Section<T>({
  title,
  note,
  series,
  period,
  query,
  children,
}: {
  title: string;
  /** What the amounts are (HT or TTC), under the title. */
  note?: string;
  series: Series;
  period: Period;
  query: UseQueryResult<T>;
  children: (data: T) => React.ReactNode;
}) {
  const i18n = useI18n();
  const exportCsv = useDashboardExport();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`dash-${series}`} data-testid={`dash-${series}`}>
      <Stack>
        <Group justify="space-between">
          <Stack gap={2}>
            <Title order={2} size="h4" id={`dash-${series}`}>
              {title}
            </Title>
            {note && (
              <Text size="sm" c="dimmed" data-testid="section-note">
                {note}
              </Text>
            )}
          </Stack>
          <DownloadButton
            label={i18n.t("dashboard.csv", { what: title })}
            name={`${series}-${period.from}-${period.to}.csv`}
            load={() => exportCsv(series, period)}
          />
        </Group>
        {query.data ? children(query.data) : <QueryStatus query={query} />}
      </Stack>
    </Paper>
  );
}

export default function DashboardPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("dashboard.title"));
  // The server's default period: the last 30 days, today (in Paris) included.
  const [period, setPeriod] = useState<Period>({ from: parisDay(-29), to: parisDay(), granularity: "day" });
  const ht = (amount: string) => i18n.t("dashboard.moneyHt", { amount: i18n.money(amount) });
  const d = useDashboard(period);

  return (
    <Stack>
      <Stack gap={4}>
        <Title order={1}>{i18n.t("dashboard.title")}</Title>
        <Text size="sm" c="dimmed" data-testid="amounts-note">
          {i18n.t("dashboard.amountsNote")}
        </Text>
      </Stack>
      <Group align="flex-end" role="search">
        <DateField label={i18n.t("dashboard.from")} value={period.from} onChange={(v) => setPeriod({ ...period, from: v ?? "" })} w={170} />
        <DateField label={i18n.t("dashboard.to")} value={period.to} onChange={(v) => setPeriod({ ...period, to: v ?? "" })} w={170} />
        <Stack gap={4}>
          <Text size="sm" id="granularity">
            {i18n.t("dashboard.granularity")}
          </Text>
          <SegmentedControl
            aria-labelledby="granularity"
            value={period.granularity}
            onChange={(v) => setPeriod({ ...period, granularity: v as Granularity })}
            data={(["day", "week", "month"] as const).map((g) => ({ value: g, label: i18n.t(`dashboard.by.${g}`) }))}
          />
        </Stack>
      </Group>

      <Section title={i18n.t("dashboard.sales")} series="sales" period={period} query={d.sales}>
        {(s) => (
          <>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              {[
                [i18n.t("dashboard.orders"), i18n.number(s.totals.orders), "kpi-orders"],
                [i18n.t("order.totalNet"), i18n.money(s.totals.net), "kpi-net"],
                [i18n.t("order.totalGross"), i18n.money(s.totals.gross), "kpi-gross"],
                [i18n.t("dashboard.average"), s.totals.average_order_value ? i18n.money(s.totals.average_order_value) : "—", "kpi-average"],
              ].map(([label, value, id]) => (
                <Paper key={id} withBorder p="sm">
                  <Text size="sm">{label}</Text>
                  <Text size="lg" fw={700} data-testid={id}>
                    {value}
                  </Text>
                </Paper>
              ))}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Stack gap={4}>
                <Text size="sm" fw={600} aria-hidden>
                  {i18n.t("dashboard.salesChart")}
                </Text>
                <Columns label={i18n.t("dashboard.salesChart")} points={s.series.map((p) => ({ key: p.period, value: Number(p.net) }))} />
              </Stack>
              <Table.ScrollContainer minWidth={360} mah={260}>
                <Table striped>
                  <VisuallyHidden component="caption">{i18n.t("dashboard.sales")}</VisuallyHidden>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{i18n.t("dashboard.period")}</Table.Th>
                      <Table.Th scope="col" ta="right">{i18n.t("dashboard.orders")}</Table.Th>
                      <Table.Th scope="col" ta="right">{i18n.t("order.totalNet")}</Table.Th>
                      <Table.Th scope="col" ta="right">{i18n.t("dashboard.vat")}</Table.Th>
                      <Table.Th scope="col" ta="right">{i18n.t("order.totalGross")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {s.series
                      .filter((p) => p.orders > 0)
                      .map((p) => (
                        <Table.Tr key={p.period}>
                          <Table.Td>{i18n.date(p.period)}</Table.Td>
                          <Table.Td ta="right">{i18n.number(p.orders)}</Table.Td>
                          <Table.Td ta="right">{i18n.money(p.net)}</Table.Td>
                          <Table.Td ta="right">{i18n.money(p.vat)}</Table.Td>
                          <Table.Td ta="right">{i18n.money(p.gross)}</Table.Td>
                        </Table.Tr>
                      ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </SimpleGrid>
          </>
        )}
      </Section>

      <ReceivablesCard period={period} />

      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section title={i18n.t("dashboard.topProducts")} note={i18n.t("dashboard.topProductsNote")} series="top-products" period={period} query={d.topProducts}>
          {(t) =>
            t.items.length === 0 ? (
              <Text c="dimmed">{i18n.t("dashboard.none")}</Text>
            ) : (
              <BarList
                bars={t.items.map((p) => ({
                  key: p.product_id,
                  label: `${p.sku} — ${p.name}`,
                  value: Number(p.revenue),
                  text: `${ht(p.revenue)} · ${formatQuantity(p.quantity, p.unit, i18n.lang)}`,
                }))}
              />
            )
          }
        </Section>
        <Section title={i18n.t("dashboard.topCustomers")} note={i18n.t("dashboard.topCustomersNote")} series="top-customers" period={period} query={d.topCustomers}>
          {(t) =>
            t.items.length === 0 ? (
              <Text c="dimmed">{i18n.t("dashboard.none")}</Text>
            ) : (
              <BarList
                color="var(--mantine-color-teal-7)"
                bars={t.items.map((c) => ({
                  key: c.customer_id,
                  label: `${c.code} — ${c.name}`,
                  value: Number(c.net),
                  text: `${ht(c.net)} · ${i18n.t(plural(c.orders, i18n.lang, { one: "dashboard.nOrders.one", other: "dashboard.nOrders.other" }), { n: i18n.number(c.orders) })}`,
                }))}
              />
            )
          }
        </Section>
        <Section title={i18n.t("dashboard.byStatus")} note={i18n.t("dashboard.byStatusNote")} series="orders-by-status" period={period} query={d.byStatus}>
          {(b) => (
            <BarList
              color="var(--mantine-color-grape-7)"
              bars={b.items.map((s) => ({
                key: s.status,
                label: i18n.t(`order.status.${s.status}`),
                value: s.orders,
                text: `${i18n.t(plural(s.orders, i18n.lang, { one: "dashboard.nOrders.one", other: "dashboard.nOrders.other" }), { n: i18n.number(s.orders) })} · ${ht(s.net)}`,
              }))}
            />
          )}
        </Section>
        <Section title={i18n.t("dashboard.alerts")} series="stock-alerts" period={period} query={d.alerts}>
          {(a) => (
            <>
              <Text size="sm" data-testid="alert-counts">
                {i18n.t("dashboard.alertCounts", { out: a.out_of_stock, low: a.low })}
              </Text>
              {a.items.length > 0 && (
                <Table striped>
                  <VisuallyHidden component="caption">{i18n.t("dashboard.alerts")}</VisuallyHidden>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
                      <Table.Th scope="col">{i18n.t("products.col.name")}</Table.Th>
                      <Table.Th scope="col" ta="right">{i18n.t("stock.available")}</Table.Th>
                      <Table.Th scope="col" ta="right">{i18n.t("stock.threshold")}</Table.Th>
                      <Table.Th scope="col">{i18n.t("stock.alert")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {a.items.map((s) => (
                      <Table.Tr key={s.product_id}>
                        <Table.Td ff="monospace">{s.sku}</Table.Td>
                        <Table.Td>
                          <Anchor component={Link} to={`/stock/${s.product_id}`}>
                            {s.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td ta="right">{formatQuantity(s.available, s.unit, i18n.lang)}</Table.Td>
                        <Table.Td ta="right">{s.low_stock_threshold ? formatQuantity(s.low_stock_threshold, s.unit, i18n.lang) : ""}</Table.Td>
                        <Table.Td>{i18n.t(s.level === "out_of_stock" ? "stock.out" : "stock.lowBadge")}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </>
          )}
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
