import { Table, Text, VisuallyHidden } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import type { ImportReport } from "./api";

/** One row per line of the file, and one more per further error of that line. */
export function ImportReportTable({ report }: { report: ImportReport }) {
  const i18n = useI18n();
  const rows = report.rows.flatMap((row) => {
    const errors = row.errors ?? [];
    if (errors.length === 0) return [{ row, field: "", message: "", n: 0 }];
    return errors.map((e, n) => ({ row, field: e.field, message: i18n.field(e.code, e.message), n }));
  });
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table striped data-testid="import-report">
        <VisuallyHidden component="caption">{i18n.t("csv.reportCaption")}</VisuallyHidden>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{i18n.t("csv.col.line")}</Table.Th>
            <Table.Th scope="col">{i18n.t("csv.col.key")}</Table.Th>
            <Table.Th scope="col">{i18n.t("csv.col.status")}</Table.Th>
            <Table.Th scope="col">{i18n.t("csv.col.field")}</Table.Th>
            <Table.Th scope="col">{i18n.t("csv.col.message")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ row, field, message, n }) => (
            <Table.Tr key={`${row.line}-${n}`} data-status={row.status}>
              <Table.Td>{row.line}</Table.Td>
              <Table.Td ff="monospace">{row.key}</Table.Td>
              <Table.Td>
                <Text size="sm" c={row.status === "error" ? "red.9" : undefined} fw={row.status === "error" ? 700 : 400}>
                  {i18n.t(`csv.status.${row.status}`)}
                </Text>
              </Table.Td>
              <Table.Td ff="monospace">{field}</Table.Td>
              <Table.Td>{message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
