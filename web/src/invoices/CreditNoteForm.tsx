// Issue a credit note (admin only): the whole invoice, or chosen lines by units returned
// or an amount (HT) taken off, with a reason printed on it. Checked here against what each
// line has left, confirmed in a dialog that says what will be issued, then sent at the
// version shown. More than is left (another credit note came first): said plainly, and
// the invoice is read again so the "left to credit" column is the server's.
import { useEffect, useRef, useState } from "react";
import {
  Alert,
  Checkbox,
  Group,
  Paper,
  Radio,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useForm, type UseFormReturnType } from "@mantine/form";
import { useI18n } from "../i18n/useI18n";
import { isApiError } from "../api/problem";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ConflictAlert, isConflict, useReloadLatest } from "../components/ConflictAlert";
import { FormActions, FormErrorAlert, useServerForm } from "../components/ServerForm";
import { formatQuantity, unitLabel } from "../components/Quantity";
import { useFocusFirstInvalid } from "../lib/focus";
import { useCommandId } from "../lib/commandId";
import { notify } from "../lib/notify";
import { parseDecimalInput } from "../i18n/format";
import { useIssueCreditNote } from "./api";
import { checkMessage } from "./checkMessage";
import {
  REASON_MAX,
  checkCreditNote,
  compareDecimal,
  emptyCreditNote,
  lineOfField,
  netLeft,
  quantityLeft,
  subtractDecimal,
  type CreditNoteValues,
  type InvoiceDetail,
  type InvoiceLine,
  type IssueCreditNote,
} from "./model";

const valueField = (lineNo: number) => `lines.${lineNo}.value`;

export function CreditNoteForm({
  invoice,
  onClose,
  reload,
  reloading,
  opened,
}: {
  invoice: InvoiceDetail;
  /** Counts the clicks that opened the form: each one brings the focus to its heading. */
  opened: number;
  onClose: () => void;
  reload: () => Promise<unknown>;
  reloading: boolean;
}) {
  const i18n = useI18n();
  const issue = useIssueCreditNote(invoice.id);
  const commandId = useCommandId();
  const reloadLatest = useReloadLatest("invoice", invoice.id, reload);
  const left = (line: InvoiceLine, by: "quantity" | "amount") =>
    by === "quantity" ? formatQuantity(quantityLeft(line), line.unit, i18n.lang) : i18n.t("creditNote.amountHt", { amount: i18n.money(netLeft(line)) });
  const form = useForm<CreditNoteValues>({
    initialValues: emptyCreditNote(invoice.lines),
    validate: (values) => {
      const check = checkCreditNote(values, invoice.lines);
      const errors: Record<string, string> = {};
      if (check.reason) errors.reason = checkMessage(i18n, check.reason, { max: REASON_MAX });
      if (check.lines) errors.lines = checkMessage(i18n, check.lines);
      for (const line of invoice.lines) {
        const c = check.byLine[line.line_no];
        const by = values.lines[line.line_no]?.by ?? "quantity";
        if (c) errors[valueField(line.line_no)] = checkMessage(i18n, c, { left: left(line, by), max: by === "quantity" ? 3 : 2 });
      }
      return errors;
    },
  });
  // The lines the last body named, in order: the server's `lines[i]` errors go on them.
  const sentLines = useRef<number[]>([]);
  const server = useServerForm(form, ["reason", "lines", ...invoice.lines.map((l) => valueField(l.line_no))], {
    adjust: (_error, problem) => {
      problem.unmatched = problem.unmatched.filter((e) => {
        const lineNo = lineOfField(e.field, sentLines.current);
        if (lineNo === undefined) return true;
        problem.fields[valueField(lineNo)] ??= i18n.field(e.code, e.message);
        return false;
      });
    },
  });
  const focusFirstInvalid = useFocusFirstInvalid(server.ref);
  const [asked, setAsked] = useState<{ body: IssueCreditNote; open: boolean } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [opened]);

  const send = server.onSubmit(async () => {
    const body = asked?.body;
    if (!body) return;
    try {
      const result = await issue.mutateAsync({ body: { ...body, id: commandId.idFor(body) }, version: invoice.version });
      commandId.done();
      notify(i18n, i18n.t("creditNote.issued", { number: result.number, balance: i18n.money(result.balance) }));
      onClose();
    } catch (error) {
      if (isApiError(error, "credit_exceeds_invoice")) void reload();
      throw error;
    } finally {
      setAsked((a) => a && { ...a, open: false });
    }
  });

  const scope = form.values.scope;
  const leftInFull = subtractDecimal(invoice.total_gross, invoice.credited);

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="credit-note-title" data-testid="credit-note-form">
      <form
        ref={server.ref}
        noValidate
        onSubmit={form.onSubmit(
          (values) => {
            const check = checkCreditNote(values, invoice.lines);
            if (check.body) {
              sentLines.current = check.lineNos;
              setAsked({ body: check.body, open: true });
            }
          },
          () => focusFirstInvalid(),
        )}
      >
        <Stack>
          <Title order={2} size="h3" id="credit-note-title" ref={heading} tabIndex={-1}>
            {i18n.t("creditNote.title")}
          </Title>
          <Text size="sm">{i18n.t("creditNote.help")}</Text>
          <FormErrorAlert
            form={server}
            render={(error) =>
              isConflict(error) ? (
                <ConflictAlert
                  message={i18n.t("invoice.conflict")}
                  help={i18n.t("invoice.conflictHelp")}
                  reloading={reloading}
                  onReload={() => {
                    server.clear();
                    reloadLatest(error);
                  }}
                />
              ) : isApiError(error, "credit_exceeds_invoice") ? (
                <Alert color="red" role="alert" variant="light" data-testid="credit-exceeds">
                  <Text size="sm" fw={600}>
                    {i18n.error(error)}
                  </Text>
                  <Text size="sm">{i18n.t("creditNote.exceeds")}</Text>
                </Alert>
              ) : undefined
            }
          />
          <Radio.Group label={i18n.t("creditNote.scope")} {...form.getInputProps("scope")}>
            <Group mt="xs">
              <Radio value="lines" label={i18n.t("creditNote.scope.lines")} />
              <Radio value="whole" label={i18n.t("creditNote.scope.whole", { amount: i18n.money(leftInFull) })} />
            </Group>
          </Radio.Group>
          {scope === "lines" && (
            <>
              <Table.ScrollContainer minWidth={820}>
                <Table data-testid="credit-lines">
                  <VisuallyHidden component="caption">{i18n.t("creditNote.linesCaption")}</VisuallyHidden>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">
                        <VisuallyHidden>{i18n.t("creditNote.chooseCol")}</VisuallyHidden>
                      </Table.Th>
                      <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
                      <Table.Th scope="col">{i18n.t("order.label")}</Table.Th>
                      <Table.Th scope="col" ta="right">{i18n.t("creditNote.left")}</Table.Th>
                      <Table.Th scope="col">{i18n.t("creditNote.what")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {invoice.lines.map((line) => (
                      <CreditLineRow key={line.line_no} line={line} form={form} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {typeof form.errors.lines === "string" && (
                <Text size="sm" c="red.9" role="alert" data-testid="lines-error">
                  {form.errors.lines}
                </Text>
              )}
            </>
          )}
          <Textarea
            label={i18n.t("creditNote.reason")}
            description={i18n.t("creditNote.reasonHint", { count: i18n.number([...form.values.reason].length) })}
            required
            rows={3}
            resize="vertical"
            {...form.getInputProps("reason")}
          />
          <FormActions submitLabel={i18n.t("creditNote.submit")} busy={server.busy} onCancel={onClose} />
        </Stack>
      </form>

      <ConfirmDialog
        opened={asked?.open ?? false}
        testId="credit-note-confirm"
        title={i18n.t("creditNote.confirmTitle", { number: invoice.number })}
        confirmLabel={i18n.t("creditNote.confirm")}
        dismissLabel={i18n.t("creditNote.back")}
        closeLabel={i18n.t("app.close")}
        busy={server.busy}
        onConfirm={() => send()}
        onDismiss={() => setAsked((a) => a && { ...a, open: false })}
      >
        {asked && <CreditNoteSummary invoice={invoice} body={asked.body} leftInFull={leftInFull} />}
      </ConfirmDialog>
    </Paper>
  );
}

type Form = UseFormReturnType<CreditNoteValues>;

function CreditLineRow({ line, form }: { line: InvoiceLine; form: Form }) {
  const i18n = useI18n();
  const input = form.values.lines[line.line_no] ?? { chosen: false, by: "quantity" as const, value: "" };
  const path = `lines.${line.line_no}`;
  const nothingLeft = compareDecimal(netLeft(line), "0") <= 0 && compareDecimal(quantityLeft(line), "0") <= 0;
  const error = form.errors[valueField(line.line_no)];
  return (
    <Table.Tr data-testid={`credit-line-${line.sku}`}>
      <Table.Td>
        <Checkbox
          aria-label={i18n.t("creditNote.choose", { sku: line.sku })}
          checked={input.chosen}
          disabled={nothingLeft}
          onChange={(e) => {
            form.setFieldValue(`${path}.chosen`, e.currentTarget.checked);
            form.clearFieldError(valueField(line.line_no));
            form.clearFieldError("lines");
          }}
        />
      </Table.Td>
      <Table.Td ff="monospace">{line.sku}</Table.Td>
      <Table.Td>{line.label}</Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: "nowrap" }} data-testid="left">
        {formatQuantity(quantityLeft(line), line.unit, i18n.lang)}
        <br />
        {i18n.t("creditNote.amountHt", { amount: i18n.money(netLeft(line)) })}
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <Select
            aria-label={i18n.t("creditNote.by", { sku: line.sku })}
            size="xs"
            w={160}
            disabled={nothingLeft}
            data={[
              { value: "quantity", label: i18n.t("creditNote.by.quantity") },
              { value: "amount", label: i18n.t("creditNote.by.amount") },
            ]}
            value={input.by}
            allowDeselect={false}
            onChange={(v) => {
              form.setFieldValue(`${path}.by`, v === "amount" ? "amount" : "quantity");
              form.clearFieldError(valueField(line.line_no));
            }}
          />
          <TextInput
            aria-label={i18n.t("creditNote.valueOf", { sku: line.sku })}
            size="xs"
            w={170}
            inputMode="decimal"
            autoComplete="off"
            disabled={nothingLeft}
            value={input.value}
            error={error}
            rightSection={
              <Text size="xs" aria-hidden>
                {input.by === "quantity" ? unitLabel(line.unit, parseDecimalInput(input.value) ?? "2", i18n.lang) : "€"}
              </Text>
            }
            rightSectionWidth={56}
            onChange={(e) => {
              const value = e.currentTarget.value;
              form.setFieldValue(`${path}.value`, value);
              // Typing a value chooses the line.
              if (value.trim() && !input.chosen) {
                form.setFieldValue(`${path}.chosen`, true);
                form.clearFieldError("lines");
              }
              form.clearFieldError(valueField(line.line_no));
            }}
          />
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** What the credit note will take off: everything left, or each chosen line's units or amount. */
function CreditNoteSummary({ invoice, body, leftInFull }: { invoice: InvoiceDetail; body: IssueCreditNote; leftInFull: string }) {
  const i18n = useI18n();
  const customer = invoice.buyer.legal_name;
  const lines = body.lines ?? [];
  const after = subtractDecimal(invoice.balance, leftInFull);
  return (
    <>
      <Text data-testid="confirm-text">
        {body.whole
          ? i18n.t("creditNote.confirmWhole", {
              amount: i18n.money(leftInFull),
              customer,
              before: i18n.money(invoice.balance),
              after: i18n.money(after),
            })
          : i18n.t("creditNote.confirmLines", { customer })}
      </Text>
      {body.whole && compareDecimal(after, "0") < 0 && <Text size="sm">{i18n.t("creditNote.confirmRefund")}</Text>}
      {!body.whole && (
        <Table withTableBorder fz="sm">
          <VisuallyHidden component="caption">{i18n.t("creditNote.linesCaption")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
              <Table.Th scope="col">{i18n.t("order.label")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("creditNote.what")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((credit) => {
              const line = invoice.lines.find((l) => l.line_no === credit.line_no);
              if (!line) return null;
              return (
                <Table.Tr key={credit.line_no}>
                  <Table.Td ff="monospace">{line.sku}</Table.Td>
                  <Table.Td>{line.label}</Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
                    {credit.quantity
                      ? formatQuantity(credit.quantity, line.unit, i18n.lang)
                      : i18n.t("creditNote.amountHt", { amount: i18n.money(credit.amount ?? "0") })}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <Text data-testid="confirm-reason">{i18n.t("creditNote.confirmReason", { reason: body.reason })}</Text>
      <Text size="sm" fw={600}>
        {i18n.t("creditNote.confirmFinal")}
      </Text>
    </>
  );
}
