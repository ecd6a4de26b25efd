import { useMemo, useState } from "react";
import { Anchor, Box, Button, Code, Select, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { DateField } from "../components/DateField";
import { ListPage, type Column } from "../components/ListPage";
import { offsetPager } from "../components/Pager";
import { DownloadButton } from "../csv/ExportButton";
import { datedName } from "../lib/download";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import type { AuditRow, Role, UserRow } from "../api/types";
import { ROLES } from "./RolesField";
import { PAGE_SIZE, useAudit, useAuditExport, useRefLabels, useUserDirectory, type AuditFilters, type RefLabel } from "./api";
import {
  AGGREGATE_TYPES,
  EVENT_TYPES,
  actorRef,
  aggregateLabel,
  eventLabel,
  payloadLabel,
  refPath,
  rowRefs,
  shortId,
  summarize,
  targetRef,
  type Ref,
} from "./audit";

const EMPTY: AuditFilters = { actor: "", aggregate_type: "", type: "", from: "", to: "", page: 1 };

type Labels = (ref: Ref) => RefLabel | undefined;

/** A link to the object's page, named as well as it can be. */
function RefLink({ refTo, labels, fallback }: { refTo: Ref; labels: Labels; fallback?: string | null }) {
  const known = labels(refTo);
  return (
    <Anchor component={Link} to={refPath(refTo)} size="sm">
      {known?.label ?? fallback ?? shortId(refTo.id)}
    </Anchor>
  );
}

function Actor({ row, labels }: { row: AuditRow; labels: Labels }) {
  const i18n = useI18n();
  const ref = actorRef(row.actor_id);
  if (!ref) {
    return <Text size="sm">{i18n.t(row.actor_id === "system" ? "audit.actor.system" : "audit.actor.anonymous")}</Text>;
  }
  const known = labels(ref);
  const roles = row.actor_roles
    ?.split(",")
    .filter(Boolean)
    .map((r) => (ROLES.includes(r as Role) ? i18n.t(`role.${r as Role}`) : r))
    .join(", ");
  return (
    <Stack gap={0}>
      <Anchor component={Link} to={refPath(ref)} size="sm">
        {known?.label ?? i18n.t("audit.actor.unknown", { id: shortId(ref.id) })}
      </Anchor>
      {known?.detail && <Text size="xs">{known.detail}</Text>}
      {roles && <Text size="xs">{roles}</Text>}
    </Stack>
  );
}

function Target({ row, labels }: { row: AuditRow; labels: Labels }) {
  const i18n = useI18n();
  const ref = targetRef(row);
  return (
    <Stack gap={0}>
      <Text size="xs" fw={600}>
        {aggregateLabel(row.aggregate_type, i18n.lang)}
      </Text>
      {ref ? (
        <RefLink refTo={ref} labels={labels} fallback={payloadLabel(row)} />
      ) : (
        <Text size="sm">{payloadLabel(row) ?? shortId(row.aggregate_id)}</Text>
      )}
    </Stack>
  );
}

/** A few "field: value" lines, then the whole event behind a disclosure. */
function Details({ row, labels }: { row: AuditRow; labels: Labels }) {
  const i18n = useI18n();
  const entries = summarize(row, i18n.lang);
  const colon = i18n.t("audit.colon");
  return (
    <Stack gap={2} maw={460}>
      {entries.map((entry) => (
        <Text size="sm" key={entry.field}>
          <Text span size="sm" fw={600}>
            {entry.label}
            {colon}
          </Text>
          {"ref" in entry ? <RefLink refTo={entry.ref} labels={labels} /> : entry.text}
        </Text>
      ))}
      <Box component="details" fz="xs">
        <Box component="summary" style={{ cursor: "pointer" }}>
          {i18n.t("audit.full")}
        </Box>
        <Stack gap={2} mt={4}>
          <Text size="xs">
            {i18n.t("audit.correlation")}
            {colon}
            {row.correlation_id}
          </Text>
          {row.source_ip && (
            <Text size="xs">
              {i18n.t("audit.sourceIp")}
              {colon}
              {row.source_ip}
            </Text>
          )}
          {row.user_agent && (
            <Text size="xs" style={{ wordBreak: "break-word" }}>
              {i18n.t("audit.userAgent")}
              {colon}
              {row.user_agent}
            </Text>
          )}
          <Code block aria-label={i18n.t("audit.payload")} style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
            {JSON.stringify(row.payload, null, 2)}
          </Code>
        </Stack>
      </Box>
    </Stack>
  );
}

function actorOptions(directory: readonly UserRow[] | undefined, t: (k: "audit.actor.system" | "audit.actor.anonymous") => string) {
  return [
    { value: "system", label: t("audit.actor.system") },
    { value: "anonymous", label: t("audit.actor.anonymous") },
    ...(directory ?? []).map((u) => ({ value: u.id, label: `${u.display_name} (${u.email})` })),
  ];
}

export function AuditPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("audit.title"));
  const [filters, setFilters] = useState<AuditFilters>(EMPTY);
  const set = (patch: Partial<AuditFilters>) => setFilters((f) => ({ ...f, page: 1, ...patch }));
  const audit = useAudit(filters);
  const exportCsv = useAuditExport();
  const directory = useUserDirectory();
  const refs = useMemo(() => (audit.data?.items ?? []).flatMap(rowRefs), [audit.data]);
  const labels = useRefLabels(refs, directory.data);

  const types = (filters.aggregate_type ? [filters.aggregate_type] : AGGREGATE_TYPES) as (keyof typeof EVENT_TYPES)[];
  const eventOptions = types
    .filter((type) => type in EVENT_TYPES)
    .map((type) => ({
      group: aggregateLabel(type, i18n.lang),
      items: EVENT_TYPES[type].map((event) => ({ value: event, label: eventLabel(event, i18n.lang) })),
    }));

  const columns: Column<AuditRow>[] = [
    { header: i18n.t("audit.col.when"), cell: (row) => i18n.dateTime(row.occurred_at) },
    { header: i18n.t("audit.col.actor"), cell: (row) => <Actor row={row} labels={labels} /> },
    {
      header: i18n.t("audit.col.action"),
      cell: (row) => (
        <Text size="sm" fw={600} data-testid="audit-action">
          {eventLabel(row.event_type, i18n.lang)}
        </Text>
      ),
    },
    { header: i18n.t("audit.col.object"), cell: (row) => <Target row={row} labels={labels} /> },
    { header: i18n.t("audit.col.details"), cell: (row) => <Details row={row} labels={labels} /> },
  ];

  return (
    <ListPage
      title={i18n.t("audit.title")}
      actions={
        <DownloadButton
          label={i18n.t("audit.export")}
          name={datedName("audit", "csv")}
          load={() => exportCsv(filters)}
        />
      }
      filters={
        <>
          <Select
            label={i18n.t("audit.actor")}
            data={actorOptions(directory.data, i18n.t)}
            value={filters.actor || null}
            onChange={(v) => set({ actor: v ?? "" })}
            searchable
            clearable
            nothingFoundMessage={i18n.t("audit.noOption")}
            w={260}
          />
          <Select
            label={i18n.t("audit.aggregateType")}
            data={AGGREGATE_TYPES.map((type) => ({ value: type, label: aggregateLabel(type, i18n.lang) }))}
            value={filters.aggregate_type || null}
            onChange={(v) => set({ aggregate_type: v ?? "", type: "" })}
            clearable
            w={200}
          />
          <Select
            label={i18n.t("audit.action")}
            data={eventOptions}
            value={filters.type || null}
            onChange={(v) => set({ type: v ?? "" })}
            searchable
            clearable
            nothingFoundMessage={i18n.t("audit.noOption")}
            w={260}
          />
          <DateField label={i18n.t("audit.from")} value={filters.from} onChange={(v) => set({ from: v ?? "" })} w={150} />
          <DateField label={i18n.t("audit.to")} value={filters.to} onChange={(v) => set({ to: v ?? "" })} w={150} />
          <Button variant="default" onClick={() => setFilters(EMPTY)}>
            {i18n.t("audit.reset")}
          </Button>
        </>
      }
      query={audit}
      count={(total) => i18n.t("audit.count", { count: i18n.number(total) })}
      caption={i18n.t("audit.caption")}
      columns={columns}
      // A product and its stock share an id: the type is part of the key.
      rowKey={(row) => `${row.aggregate_type}-${row.aggregate_id}-${row.sequence}`}
      rowTestId={(row) => `audit-${row.event_type}`}
      empty={i18n.t("audit.empty")}
      minWidth={960}
      pager={(page) =>
        offsetPager({
          label: i18n.t("audit.paging"),
          page: filters.page,
          total: page.total,
          pageSize: PAGE_SIZE,
          busy: audit.isPlaceholderData,
          onPage: (p) => setFilters((f) => ({ ...f, page: p })),
        })
      }
    />
  );
}
