import { useRef, useState } from "react";
import { Anchor, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { useForm } from "@mantine/form";
import { Link, useParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { QueryStatus } from "../components/QueryStatus";
import { ErrorAlert } from "../components/ErrorAlert";
import { formProblem } from "../lib/formErrors";
import { useFocusFirstInvalid } from "../lib/focus";
import { notify } from "../lib/notify";
import { parseDecimalInput } from "../i18n/format";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { formatQuantity, unitLabel } from "../components/Quantity";
import { REASONS, useAdjustStock, useMovements, useStockLevel, type AdjustmentReason, type StockLevel } from "./api";
import { LowBadge } from "./StockPage";

export function StockDetailPage() {
  const { id = "" } = useParams();
  const level = useStockLevel(id);
  return <Stack>{level.data ? <StockDetail level={level.data} /> : <QueryStatus query={level} />}</Stack>;
}

function StockDetail({ level }: { level: StockLevel }) {
  const i18n = useI18n();
  const me = useMe();
  useDocumentTitle(i18n.t("stock.detailTitle", { sku: level.sku }));
  const writable = can(me.data?.permissions, "stock:write");
  const [page, setPage] = useState(1);
  const movements = useMovements(level.product_id, page, level.version);
  const figures: [string, string][] = [
    [i18n.t("stock.onHand"), level.on_hand],
    [i18n.t("stock.reserved"), level.reserved],
    [i18n.t("stock.available"), level.available],
  ];
  return (
    <>
      <Group justify="space-between">
        <Stack gap={2}>
          <Title order={1}>{i18n.t("stock.detailTitle", { sku: level.sku })}</Title>
          <Text>
            {level.name} · {i18n.t("stock.unit", { unit: i18n.t(`unit.${level.unit}`) })} <LowBadge low={level.low} available={level.available} />
          </Text>
        </Stack>
        <Anchor component={Link} to="/stock">
          {i18n.t("stock.back")}
        </Anchor>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }} maw={720}>
        {figures.map(([label, value]) => (
          <Paper key={label} withBorder p="sm">
            <Text size="sm">{label}</Text>
            <Text size="xl" fw={700} data-testid={`figure-${label}`}>
              {formatQuantity(value, level.unit, i18n.lang)}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      {writable && <AdjustForm productId={level.product_id} unit={level.unit} />}
      <Title order={2} size="h3">
        {i18n.t("stock.movements")}
      </Title>
      <QueryStatus query={movements} />
      {movements.data && (
        <>
          <Table.ScrollContainer minWidth={640}>
            <Table striped>
              <VisuallyHidden component="caption">{i18n.t("stock.movements")}</VisuallyHidden>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{i18n.t("stock.when")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("stock.kind")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("stock.quantity")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("stock.onHand")}</Table.Th>
                  <Table.Th scope="col" ta="right">{i18n.t("stock.reserved")}</Table.Th>
                  <Table.Th scope="col">{i18n.t("stock.comment")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {movements.data.items.map((m) => (
                  <Table.Tr key={m.sequence} data-testid="movement">
                    <Table.Td>{i18n.dateTime(m.occurred_at)}</Table.Td>
                    <Table.Td>
                      {i18n.t(`stock.kind.${m.kind}`)}
                      {m.reason ? ` (${i18n.t(`stock.reason.${m.reason}`)})` : ""}
                      {m.order_id ? (
                        <>
                          {" "}
                          <Anchor component={Link} to={`/orders/${m.order_id}`} size="sm">
                            {i18n.t("stock.order")}
                          </Anchor>
                        </>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right">{formatQuantity(m.quantity, level.unit, i18n.lang)}</Table.Td>
                    <Table.Td ta="right">{formatQuantity(m.on_hand, level.unit, i18n.lang)}</Table.Td>
                    <Table.Td ta="right">{formatQuantity(m.reserved, level.unit, i18n.lang)}</Table.Td>
                    <Table.Td>{m.comment ?? ""}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {movements.data.items.length === 0 && <Text c="dimmed">{i18n.t("stock.noMovement")}</Text>}
          <Group component="nav" aria-label={i18n.t("stock.movementPaging")}>
            <Button variant="default" size="xs" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              {i18n.t("products.previous")}
            </Button>
            <Button variant="default" size="xs" disabled={page * 20 >= movements.data.total} onClick={() => setPage(page + 1)}>
              {i18n.t("products.next")}
            </Button>
          </Group>
        </>
      )}
    </>
  );
}

interface AdjustValues {
  quantity: string;
  reason: AdjustmentReason;
  comment: string;
}

function AdjustForm({ productId, unit }: { productId: string; unit: StockLevel["unit"] }) {
  const i18n = useI18n();
  const adjust = useAdjustStock(productId);
  const ref = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(ref);
  const form = useForm<AdjustValues>({
    initialValues: { quantity: "", reason: "receipt", comment: "" },
    validate: {
      quantity: (v) => (parseDecimalInput(v) === null ? i18n.t("form.decimal") : null),
    },
  });
  const submit = (values: AdjustValues) =>
    adjust.mutate(
      {
        quantity: parseDecimalInput(values.quantity) ?? values.quantity,
        reason: values.reason,
        comment: values.comment.trim() || null,
      },
      {
        onSuccess: () => {
          notify(i18n, i18n.t("stock.adjusted"));
          form.reset();
        },
        onError: (e) => {
          form.setErrors(formProblem(e, ["quantity", "reason", "comment"], i18n.field).fields);
          focusFirstInvalid();
        },
      },
    );
  return (
    <Paper withBorder p="md" maw={720}>
      <form ref={ref} noValidate onSubmit={form.onSubmit(submit, () => focusFirstInvalid())}>
        <Stack>
          <Title order={2} size="h3">
            {i18n.t("stock.adjust")}
          </Title>
          <Text size="sm">{i18n.t("stock.adjustHelp")}</Text>
          {adjust.error && <ErrorAlert error={adjust.error} />}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label={i18n.t("stock.quantity")}
              required
              inputMode="decimal"
              autoComplete="off"
              rightSection={<Text size="sm" aria-hidden>{unitLabel(unit, parseDecimalInput(form.values.quantity) ?? "2", i18n.lang)}</Text>}
              rightSectionWidth={72}
              {...form.getInputProps("quantity")}
            />
            <Select
              label={i18n.t("stock.reason")}
              data={REASONS.map((r) => ({ value: r, label: i18n.t(`stock.reason.${r}`) }))}
              allowDeselect={false}
              {...form.getInputProps("reason")}
            />
            <TextInput label={i18n.t("stock.comment")} autoComplete="off" {...form.getInputProps("comment")} />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={adjust.isPending}>
              {i18n.t("stock.record")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
