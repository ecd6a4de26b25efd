import { useEffect, useRef, useState } from "react";
import {
  Anchor,
  Button,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { Link, useParams } from "react-router";
import { DocumentTotals } from "../components/DocumentTotals";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { INVOICE_READERS, INVOICE_WRITERS, can, hasRole } from "../auth/permissions";
import { ApiError, isApiError } from "../api/problem";
import { QueryStatus } from "../components/QueryStatus";
import { ErrorAlert } from "../components/ErrorAlert";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { decimalForInput, parseDecimalInput } from "../i18n/format";
import { saveBlob } from "../lib/download";
import { useServices } from "../ServicesContext";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { formatQuantity, plural, unitLabel } from "../components/Quantity";
import { useOrder, useOrderCommand, useProforma, type OrderCommand, type OrderDetail, type OrderLine, type Shortage } from "./api";
import { OrderStatusBadge } from "./OrderStatusBadge";
import { CustomerPicker } from "../components/CustomerPicker";
import { ProductPicker } from "./Pickers";
import { OrderConflictAlert, OrderTerms } from "./OrderTerms";
import { OrderInvoicing } from "./OrderInvoicing";
import { quantitiesByUnit } from "./summary";

type Lifecycle = "submit" | "fulfil" | "cancel";

export function OrderPage() {
  const { id = "" } = useParams();
  const order = useOrder(id);
  return <Stack>{order.data ? <OrderEditor order={order.data} reload={() => void order.refetch()} /> : <QueryStatus query={order} />}</Stack>;
}

/** The shortages a 422 insufficient_stock names, by product. */
function shortagesOf(error: unknown, order: OrderDetail): Map<string, Shortage> {
  const list: Shortage[] = [];
  if (isApiError(error, "insufficient_stock") && Array.isArray(error.extra("shortages")))
    list.push(...(error.extra("shortages") as Shortage[]));
  else if (order.status === "draft" && order.shortages) list.push(...order.shortages);
  return new Map(list.map((s) => [s.product_id, s]));
}

function OrderEditor({ order, reload }: { order: OrderDetail; reload: () => void }) {
  const i18n = useI18n();
  const me = useMe();
  const { writes } = useServices();
  const command = useOrderCommand(order.id);
  useDocumentTitle(i18n.t("order.title", { number: order.number }));
  const canSell = can(me.data?.permissions, "orders:write");
  const canShip = can(me.data?.permissions, "stock:write");
  const draft = order.status === "draft";
  const editable = draft && canSell;
  const shortages = shortagesOf(command.error, order);

  const run = (c: OrderCommand, done?: string) =>
    command.mutateAsync({ command: c, version: order.version }).then(
      () => {
        if (done) notify(i18n, done);
        return true;
      },
      () => false,
    );
  const conflict = command.error instanceof ApiError && command.error.status === 412;
  // The action asked about stays set while the dialog closes (its text fades out whole).
  const [asked, setAsked] = useState<{ action: Lifecycle; open: boolean }>({ action: "submit", open: false });
  const confirming = asked.open ? asked.action : null;
  const setConfirming = (action: Lifecycle | null) => setAsked((a) => (action ? { action, open: true } : { ...a, open: false }));
  const done: Record<Lifecycle, string> = {
    submit: i18n.t("order.submitted"),
    fulfil: i18n.t("order.fulfilled"),
    cancel: i18n.t("order.cancelled"),
  };
  const confirm = async () => {
    if (!confirming) return;
    await run({ kind: confirming }, done[confirming]);
    setConfirming(null);
  };

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{i18n.t("order.title", { number: order.number })}</Title>
          <Group gap="xs">
            <OrderStatusBadge status={order.status} />
            <Text size="sm" c="dimmed" data-testid="version">
              {i18n.t("product.version", { version: order.version, date: i18n.dateTime(order.updated_at) })}
            </Text>
          </Group>
        </Stack>
        <Anchor component={Link} to="/orders">
          {i18n.t("order.back")}
        </Anchor>
      </Group>

      {command.error &&
        (conflict ? (
          <OrderConflictAlert
            error={command.error as ApiError}
            onReload={(current) => {
              if (current !== null) writes.record("order", order.id, current);
              command.reset();
              reload();
            }}
          />
        ) : (
          <ErrorAlert error={command.error} />
        ))}

      <Paper withBorder p="md">
        {editable ? (
          <CustomerPicker
            label={i18n.t("order.customer")}
            value={order.customer_id ?? null}
            required
            onChange={(id) => id && id !== order.customer_id && void run({ kind: "setCustomer", customerId: id })}
          />
        ) : (
          <Text>
            {i18n.t("app.labelled", { label: i18n.t("order.customer") })}{" "}
            {order.customer_id ? (
              <Anchor component={Link} to={`/customers/${order.customer_id}`}>
                {order.customer_code} — {order.customer_name}
              </Anchor>
            ) : (
              "—"
            )}
          </Text>
        )}
      </Paper>

      <Title order={2} size="h3">
        {i18n.t("order.lines")}
      </Title>
      <Table.ScrollContainer minWidth={860}>
        <Table striped data-testid="lines">
          <VisuallyHidden component="caption">{i18n.t("order.lines")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
              <Table.Th scope="col">{i18n.t("order.label")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("stock.quantity")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("order.unitPrice")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("order.discount")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("products.col.vat")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("order.net")}</Table.Th>
              {editable && <Table.Th scope="col">{i18n.t("order.actions")}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {order.lines.map((line) => (
              <LineRow
                key={`${line.line_no}@${order.version}`}
                line={line}
                editable={editable}
                shortage={shortages.get(line.product_id)}
                busy={command.isPending}
                onChange={(body) => run({ kind: "changeLine", lineNo: line.line_no, body })}
                onDelete={() => run({ kind: "deleteLine", lineNo: line.line_no })}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {order.lines.length === 0 && <Text c="dimmed">{i18n.t("order.noLines")}</Text>}

      {editable && <AddLineForm busy={command.isPending} onAdd={(body) => run({ kind: "addLine", body })} />}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <OrderTerms order={order} editable={editable} reload={reload} />
        <Totals order={order} />
      </SimpleGrid>

      <Group>
        {editable && (
          <Button loading={command.isPending && command.variables?.command.kind === "submit"} onClick={() => setConfirming("submit")}>
            {i18n.t("order.submit")}
          </Button>
        )}
        {canShip && order.status === "submitted" && (
          <Button loading={command.isPending && command.variables?.command.kind === "fulfil"} onClick={() => setConfirming("fulfil")}>
            {i18n.t("order.fulfil")}
          </Button>
        )}
        {canSell && (draft || order.status === "submitted") && (
          <Button
            variant="default"
            loading={command.isPending && command.variables?.command.kind === "cancel"}
            onClick={() => setConfirming("cancel")}
          >
            {i18n.t("order.cancel")}
          </Button>
        )}
      </Group>

      {order.status === "fulfilled" && hasRole(me.data?.roles, INVOICE_READERS) && (
        <OrderInvoicing order={order} mayIssue={hasRole(me.data?.roles, INVOICE_WRITERS)} />
      )}

      <ConfirmDialog
        opened={confirming !== null}
        testId="confirm-dialog"
        title={i18n.t(`order.confirm.${asked.action}Title`, { number: order.number })}
        confirmLabel={i18n.t(`order.confirm.${asked.action}`)}
        dismissLabel={i18n.t(asked.action === "cancel" ? "order.confirm.keep" : "order.confirm.back")}
        closeLabel={i18n.t("app.close")}
        destructive={asked.action === "cancel"}
        busy={command.isPending}
        onConfirm={() => void confirm()}
        onDismiss={() => setConfirming(null)}
      >
        <ConfirmBody order={order} action={asked.action} />
      </ConfirmDialog>

      {order.lines.length > 0 && <Proforma order={order} />}
    </>
  );
}

function LineRow({
  line,
  editable,
  shortage,
  busy,
  onChange,
  onDelete,
}: {
  line: OrderLine;
  editable: boolean;
  shortage?: Shortage;
  busy: boolean;
  onChange: (body: { quantity?: string; discount?: string; unit_price?: string }) => Promise<boolean>;
  onDelete: () => Promise<boolean>;
}) {
  const i18n = useI18n();
  const [quantity, setQuantity] = useState(decimalForInput(line.quantity, i18n.lang));
  const [discount, setDiscount] = useState(decimalForInput(line.discount, i18n.lang));
  const [price, setPrice] = useState(decimalForInput(line.unit_price, i18n.lang));
  const changed =
    parseDecimalInput(quantity) !== null &&
    (Number(parseDecimalInput(quantity)) !== Number(line.quantity) ||
      Number(parseDecimalInput(discount) ?? "0") !== Number(line.discount) ||
      Number(parseDecimalInput(price) ?? "0") !== Number(line.unit_price));
  const save = () => {
    const body: { quantity?: string; discount?: string; unit_price?: string } = {};
    const q = parseDecimalInput(quantity);
    const d = parseDecimalInput(discount || "0");
    const p = parseDecimalInput(price);
    if (q !== null && Number(q) !== Number(line.quantity)) body.quantity = q;
    if (d !== null && Number(d) !== Number(line.discount)) body.discount = d;
    if (p !== null && Number(p) !== Number(line.unit_price)) body.unit_price = p;
    void onChange(body);
  };
  const what = `${line.sku}`;
  return (
    <>
      <Table.Tr data-testid={`line-${line.sku}`} data-shortage={shortage ? "true" : undefined}>
        <Table.Td ff="monospace">{line.sku}</Table.Td>
        <Table.Td>{line.label}</Table.Td>
        <Table.Td ta="right">
          {editable ? (
            <Group gap={6} wrap="nowrap" justify="flex-end">
              <TextInput size="xs" w={90} aria-label={i18n.t("order.qtyOf", { sku: what })} value={quantity} onChange={(e) => setQuantity(e.currentTarget.value)} inputMode="decimal" error={!!shortage} />
              <Text size="sm" aria-hidden miw={48} ta="left">
                {unitLabel(line.unit, parseDecimalInput(quantity) ?? line.quantity, i18n.lang)}
              </Text>
            </Group>
          ) : (
            formatQuantity(line.quantity, line.unit, i18n.lang)
          )}
        </Table.Td>
        <Table.Td ta="right">
          {editable ? (
            <TextInput size="xs" w={100} aria-label={i18n.t("order.priceOf", { sku: what })} value={price} onChange={(e) => setPrice(e.currentTarget.value)} inputMode="decimal" />
          ) : (
            i18n.money(line.unit_price)
          )}
        </Table.Td>
        <Table.Td ta="right">
          {editable ? (
            <TextInput size="xs" w={80} aria-label={i18n.t("order.discountOf", { sku: what })} value={discount} onChange={(e) => setDiscount(e.currentTarget.value)} inputMode="decimal" />
          ) : (
            i18n.percent(line.discount)
          )}
        </Table.Td>
        <Table.Td ta="right">{i18n.percent(line.vat_rate)}</Table.Td>
        <Table.Td ta="right" data-testid="line-net">
          {i18n.money(line.net)}
        </Table.Td>
        {editable && (
          <Table.Td>
            <Group gap={4} wrap="nowrap">
              <Button size="xs" variant="default" disabled={!changed || busy} onClick={save} aria-label={i18n.t("order.saveLine", { sku: what })}>
                {i18n.t("customer.save")}
              </Button>
              <Button size="xs" variant="default" disabled={busy} onClick={() => void onDelete()} aria-label={i18n.t("order.deleteLine", { sku: what })}>
                {i18n.t("order.delete")}
              </Button>
            </Group>
          </Table.Td>
        )}
      </Table.Tr>
      {shortage && (
        <Table.Tr>
          <Table.Td colSpan={editable ? 8 : 7}>
            <Text size="sm" c="red.9" fw={600} role="alert" data-testid={`shortage-${line.sku}`}>
              {i18n.t("order.shortage", {
                requested: formatQuantity(shortage.requested, line.unit, i18n.lang),
                available: formatQuantity(shortage.available, line.unit, i18n.lang),
              })}
            </Text>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function AddLineForm({
  busy,
  onAdd,
}: {
  busy: boolean;
  onAdd: (body: { product_id: string; quantity: string; discount?: string | null; unit_price?: string | null }) => Promise<boolean>;
}) {
  const i18n = useI18n();
  const [product, setProduct] = useState<string | null>(null);
  const [quantity, setQuantity] = useState("1");
  const [discount, setDiscount] = useState("");
  const [price, setPrice] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!product) errs.product = i18n.t("form.required");
    const q = parseDecimalInput(quantity);
    if (q === null) errs.quantity = i18n.t("form.decimal");
    const d = discount.trim() ? parseDecimalInput(discount) : null;
    if (discount.trim() && d === null) errs.discount = i18n.t("form.decimal");
    const p = price.trim() ? parseDecimalInput(price) : null;
    if (price.trim() && p === null) errs.price = i18n.t("form.decimal");
    setErrors(errs);
    if (Object.keys(errs).length > 0 || !product || q === null) return;
    const ok = await onAdd({ product_id: product, quantity: q, discount: d, unit_price: p });
    if (ok) {
      setQuantity("1");
      setDiscount("");
      setPrice("");
    }
  };
  return (
    <Paper withBorder p="md">
      <form ref={formRef} noValidate onSubmit={(e) => void submit(e)}>
        <Stack>
          <Title order={3} size="h4">
            {i18n.t("order.addLine")}
          </Title>
          <Group align="flex-start">
            <ProductPicker label={i18n.t("order.product")} value={product} onChange={(id) => setProduct(id)} error={errors.product} />
            <TextInput label={i18n.t("stock.quantity")} required value={quantity} onChange={(e) => setQuantity(e.currentTarget.value)} inputMode="decimal" w={110} error={errors.quantity} />
            <TextInput label={i18n.t("order.discountPct")} value={discount} onChange={(e) => setDiscount(e.currentTarget.value)} inputMode="decimal" w={120} error={errors.discount} />
            <TextInput
              label={i18n.t("order.priceOverride")}
              description={i18n.t("order.priceOverrideHint")}
              value={price}
              onChange={(e) => setPrice(e.currentTarget.value)}
              inputMode="decimal"
              w={200}
              error={errors.price}
            />
          </Group>
          <Group>
            <Button type="submit" loading={busy}>
              {i18n.t("order.add")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** The most lines a confirmation lists; the others are counted. */
const CONFIRM_LINES = 8;

/** What a lifecycle action will do to this order and to the stock, before it is done. */
function ConfirmBody({ order, action }: { order: OrderDetail; action: Lifecycle }) {
  const i18n = useI18n();
  const count = order.lines.length;
  const lines = i18n.t(plural(count, i18n.lang, { one: "order.lines.one", other: "order.lines.other" }), { count: i18n.number(count) });
  const quantities = quantitiesByUnit(order.lines, i18n.lang);
  const customer = order.customer_name ?? i18n.t("order.confirm.noCustomer");
  const text =
    action === "cancel"
      ? order.status === "submitted"
        ? i18n.t("order.confirm.cancelSubmittedBody", { quantities })
        : i18n.t("order.confirm.cancelDraftBody")
      : i18n.t(action === "submit" ? "order.confirm.submitBody" : "order.confirm.fulfilBody", { lines, quantities, customer });
  const listed = action !== "cancel" || order.status === "submitted";
  const rest = count - CONFIRM_LINES;
  return (
    <>
      <Text data-testid="confirm-text">{text}</Text>
      {listed && count > 0 && (
        <Table withTableBorder fz="sm">
          <VisuallyHidden component="caption">{i18n.t("order.confirm.lineList")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
              <Table.Th scope="col">{i18n.t("order.label")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("stock.quantity")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {order.lines.slice(0, CONFIRM_LINES).map((l) => (
              <Table.Tr key={l.line_no}>
                <Table.Td ff="monospace">{l.sku}</Table.Td>
                <Table.Td>{l.label}</Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>{formatQuantity(l.quantity, l.unit, i18n.lang)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {listed && rest > 0 && (
        <Text size="sm">{i18n.t(plural(rest, i18n.lang, { one: "order.confirm.more.one", other: "order.confirm.more.other" }), { count: i18n.number(rest) })}</Text>
      )}
      <Text size="sm" fw={600}>
        {i18n.t("order.confirm.totals", { net: i18n.money(order.total_net), gross: i18n.money(order.total_gross) })}
      </Text>
    </>
  );
}

function Totals({ order }: { order: OrderDetail }) {
  const i18n = useI18n();
  return <DocumentTotals totals={order} caption={i18n.t("order.totals")} maw={480} />;
}

function Proforma({ order }: { order: OrderDetail }) {
  const i18n = useI18n();
  const load = useProforma();
  const [lang, setLang] = useState<"fr" | "en">(i18n.lang);
  const [preview, setPreview] = useState<{ url: string; key: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => () => { if (preview) URL.revokeObjectURL(preview.url); }, [preview]);
  const fetchPdf = async (): Promise<Blob | null> => {
    setBusy(true);
    setError(null);
    try {
      return await load(order.id, order.version, lang);
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setBusy(false);
    }
  };
  const name = `${order.number}-${lang}.pdf`;
  return (
    <Paper withBorder p="md" data-testid="proforma">
      <Stack>
        <Title order={2} size="h3">
          {i18n.t("order.proforma")}
        </Title>
        <Group align="flex-end">
          <Stack gap={4}>
            <Text size="sm" id="proforma-lang">
              {i18n.t("order.proformaLang")}
            </Text>
            <SegmentedControl
              aria-labelledby="proforma-lang"
              value={lang}
              onChange={(v) => setLang(v === "en" ? "en" : "fr")}
              data={[
                { value: "fr", label: <span lang="fr">{i18n.t("app.lang.fr")}</span> },
                { value: "en", label: <span lang="en">{i18n.t("app.lang.en")}</span> },
              ]}
            />
          </Stack>
          <Button
            variant="default"
            loading={busy}
            onClick={async () => {
              const blob = await fetchPdf();
              if (blob) setPreview({ url: URL.createObjectURL(new Blob([blob], { type: "application/pdf" })), key: `${order.version}-${lang}` });
            }}
          >
            {i18n.t("order.preview")}
          </Button>
          <Button
            variant="default"
            loading={busy}
            onClick={async () => {
              const blob = await fetchPdf();
              if (blob) saveBlob(blob, name);
            }}
          >
            {i18n.t("order.download")}
          </Button>
        </Group>
        {error !== null && <ErrorAlert error={error} />}
        {preview && (
          <SimpleGrid cols={1}>
            <iframe
              // A new frame per preview: changing a frame's src adds a history entry, and
              // Back would then show the revoked previous PDF instead of leaving the page.
              key={preview.url}
              src={preview.url}
              title={i18n.t("order.proformaPreview", { number: order.number })}
              data-testid="proforma-preview"
              style={{ width: "100%", height: 640, border: "1px solid var(--mantine-color-gray-4)" }}
            />
          </SimpleGrid>
        )}
      </Stack>
    </Paper>
  );
}
