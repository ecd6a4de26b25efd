import { useState } from "react";
import { Button, Code, Group, Pagination, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import { formatDateTime } from "../i18n/format";
import { QueryStatus } from "../components/QueryStatus";
import { ErrorAlert } from "../components/ErrorAlert";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { PAGE_SIZE, useAudit, useAuditExport, type AuditFilters } from "./api";

const EMPTY: AuditFilters = { actor: "", aggregate_type: "", type: "", from: "", to: "", page: 1 };
const TEXT_FILTERS = [
  ["actor", "audit.actor"],
  ["aggregate_type", "audit.aggregateType"],
  ["type", "audit.type"],
  ["from", "audit.from"],
  ["to", "audit.to"],
] as const;

export function AuditPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("audit.title"));
  const [draft, setDraft] = useState<AuditFilters>(EMPTY);
  const [filters, setFilters] = useState<AuditFilters>(EMPTY);
  const audit = useAudit(filters);
  const exporter = useAuditExport();
  const pages = audit.data ? Math.max(1, Math.ceil(audit.data.total / PAGE_SIZE)) : 1;
  return (
    <Stack>
      <Title order={1}>{i18n.t("audit.title")}</Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft, page: 1 });
        }}
      >
        <Group align="flex-end">
          {TEXT_FILTERS.map(([key, label]) => (
            <TextInput
              key={key}
              label={i18n.t(label)}
              type={key === "from" || key === "to" ? "date" : "text"}
              value={draft[key]}
              onChange={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })}
            />
          ))}
          <Button type="submit">{i18n.t("audit.apply")}</Button>
          <Button variant="default" loading={exporter.isPending} onClick={() => exporter.mutate(filters)}>
            {i18n.t("audit.export")}
          </Button>
        </Group>
      </form>
      {exporter.isError && <ErrorAlert error={exporter.error} />}
      <QueryStatus query={audit} />
      {audit.data && (
        <>
          <Text size="sm" role="status">
            {i18n.t("audit.count", { count: audit.data.total })}
          </Text>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{i18n.t("audit.col.when")}</Table.Th>
                <Table.Th>{i18n.t("audit.col.actor")}</Table.Th>
                <Table.Th>{i18n.t("audit.col.object")}</Table.Th>
                <Table.Th>{i18n.t("audit.col.event")}</Table.Th>
                <Table.Th>{i18n.t("audit.col.details")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {audit.data.items.map((row) => (
                <Table.Tr key={`${row.aggregate_id}-${row.sequence}`} data-testid={`audit-${row.event_type}`}>
                  <Table.Td>{formatDateTime(row.occurred_at, i18n.lang)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{row.actor_id}</Text>
                    {row.actor_roles && <Text size="xs">{row.actor_roles}</Text>}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{row.aggregate_type}</Text>
                    <Text size="xs">{row.aggregate_id}</Text>
                  </Table.Td>
                  <Table.Td>{row.event_type}</Table.Td>
                  <Table.Td>
                    <Code block style={{ maxWidth: 420, whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
                      {JSON.stringify(row.payload)}
                    </Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {pages > 1 && (
            <nav aria-label={i18n.t("audit.paging")}>
              <Pagination
                total={pages}
                value={filters.page}
                onChange={(page) => setFilters({ ...filters, page })}
                getControlProps={(control) => ({
                  "aria-label": control === "previous" ? i18n.t("users.prev") : i18n.t("users.next"),
                })}
                getItemProps={(page) => ({ "aria-label": i18n.t("users.page", { page, pages }) })}
              />
            </nav>
          )}
        </>
      )}
    </Stack>
  );
}
