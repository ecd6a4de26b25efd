// The totals of a priced document (an order, an invoice): HT, VAT per rate, VAT, TTC, as
// the server computed them; `children` adds rows below (credited, paid, balance) and
// `after` what follows the table.
import type { ReactNode } from "react";
import { Paper, Table, VisuallyHidden } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";

export interface PricedTotals {
  total_net: string;
  total_vat: string;
  total_gross: string;
  vat_lines: readonly { rate: string; base: string; amount: string }[];
}

export function DocumentTotals({
  totals,
  caption,
  maw,
  children,
  after,
}: {
  totals: PricedTotals;
  caption: string;
  maw: number;
  children?: ReactNode;
  after?: ReactNode;
}) {
  const i18n = useI18n();
  return (
    <Paper withBorder p="md" w="100%" maw={maw} ml="auto" data-testid="totals" style={{ alignSelf: "start" }}>
      <Table>
        <VisuallyHidden component="caption">{caption}</VisuallyHidden>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">{i18n.t("order.totalNet")}</Table.Th>
            <Table.Td ta="right" data-testid="total-net">{i18n.money(totals.total_net)}</Table.Td>
          </Table.Tr>
          {totals.vat_lines.map((v) => (
            <Table.Tr key={v.rate}>
              <Table.Th scope="row" fw={400}>
                {i18n.t("order.vatAt", { rate: i18n.percent(v.rate), base: i18n.money(v.base) })}
              </Table.Th>
              <Table.Td ta="right">{i18n.money(v.amount)}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Th scope="row">{i18n.t("order.totalVat")}</Table.Th>
            <Table.Td ta="right" data-testid="total-vat">{i18n.money(totals.total_vat)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{i18n.t("order.totalGross")}</Table.Th>
            <Table.Td ta="right" fw={700} data-testid="total-gross">{i18n.money(totals.total_gross)}</Table.Td>
          </Table.Tr>
          {children}
        </Table.Tbody>
      </Table>
      {after}
    </Paper>
  );
}
