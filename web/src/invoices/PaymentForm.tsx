// Record a payment against an invoice (admin, sales): date received, amount, method,
// reference; checked here first (at most the balance, not after today), then confirmed
// in a dialog that says what the balance becomes, then sent at the version shown.
import { useEffect, useRef, useState } from "react";
import { Alert, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useI18n } from "../i18n/useI18n";
import { isApiError, type ApiError } from "../api/problem";
import { decimalForInput } from "../i18n/format";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ConflictAlert, isConflict, useReloadLatest } from "../components/ConflictAlert";
import { FormActions, FormErrorAlert, useServerForm } from "../components/ServerForm";
import { DateField } from "../components/DateField";
import { useFocusFirstInvalid } from "../lib/focus";
import { useCommandId } from "../lib/commandId";
import { notify } from "../lib/notify";
import { parisDay } from "../lib/dateInput";
import { useRecordPayment } from "./api";
import { checkMessage } from "./checkMessage";
import {
  PAYMENT_METHODS,
  REFERENCE_MAX,
  balanceAfter,
  checkPayment,
  type InvoiceDetail,
  type PaymentField,
  type PaymentMethod,
  type PaymentValues,
  type RecordPayment,
} from "./model";

const FIELDS = ["paid_on", "amount", "method", "reference"] as const satisfies readonly PaymentField[];

export function PaymentForm({
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
  const record = useRecordPayment(invoice.id);
  const commandId = useCommandId();
  const reloadLatest = useReloadLatest("invoice", invoice.id, reload);
  const [dateUnreadable, setDateUnreadable] = useState(false);
  const today = parisDay();
  const context = { balance: invoice.balance, today, dateUnreadable };
  const form = useForm<PaymentValues>({
    initialValues: {
      paid_on: today,
      // The usual case is a payment in full.
      amount: decimalForInput(invoice.balance, i18n.lang),
      method: "bank_transfer",
      reference: "",
    },
    validate: (values) => {
      const { errors } = checkPayment(values, context);
      return Object.fromEntries(
        Object.entries(errors).map(([field, check]) => [
          field,
          checkMessage(i18n, check, { balance: invoice.balance, max: field === "amount" ? 2 : REFERENCE_MAX }),
        ]),
      );
    },
  });
  const server = useServerForm(form, FIELDS, {
    adjust: (error, problem) => {
      // More than the balance as the server has it: said on the amount, with that balance.
      if (isApiError(error, "overpayment"))
        problem.fields.amount = checkMessage(i18n, "over_balance", { balance: String(error.extra("balance") ?? invoice.balance) });
    },
  });
  const focusFirstInvalid = useFocusFirstInvalid(server.ref);
  const [asked, setAsked] = useState<{ body: RecordPayment; open: boolean } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [opened]);

  const send = server.onSubmit(async () => {
    const body = asked?.body;
    if (!body) return;
    try {
      const result = await record.mutateAsync({ body: { ...body, id: commandId.idFor(body) }, version: invoice.version });
      commandId.done();
      notify(i18n, i18n.t("payment.recorded", { balance: i18n.money(result.balance) }));
      onClose();
    } catch (error) {
      // The invoice as the server has it now: its balance, its version.
      if (isApiError(error, "overpayment")) void reload();
      throw error;
    } finally {
      setAsked((a) => a && { ...a, open: false });
    }
  });

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="payment-title" data-testid="payment-form">
      <form
        ref={server.ref}
        noValidate
        onSubmit={form.onSubmit(
          (values) => {
            const { body } = checkPayment(values, context);
            if (body) setAsked({ body, open: true });
          },
          () => focusFirstInvalid(),
        )}
      >
        <Stack>
          <Title order={2} size="h3" id="payment-title" ref={heading} tabIndex={-1}>
            {i18n.t("payment.title")}
          </Title>
          <Text size="sm">{i18n.t("payment.help", { balance: i18n.money(invoice.balance) })}</Text>
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
              ) : isApiError(error, "overpayment") ? (
                <Alert color="red" role="alert" variant="light" data-testid="overpayment">
                  <Text size="sm">
                    {i18n.t("payment.overpayment", { balance: i18n.money(String((error as ApiError).extra("balance") ?? invoice.balance)) })}
                  </Text>
                </Alert>
              ) : undefined
            }
          />
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            <DateField
              label={i18n.t("payment.paidOn")}
              name="paid_on"
              required
              value={form.values.paid_on}
              onChange={(v) => {
                form.setFieldValue("paid_on", v);
                form.clearFieldError("paid_on");
              }}
              onUnreadable={setDateUnreadable}
              error={form.errors.paid_on as string | undefined}
            />
            <TextInput
              label={i18n.t("payment.amount")}
              required
              inputMode="decimal"
              autoComplete="off"
              {...form.getInputProps("amount")}
            />
            <Select
              label={i18n.t("payment.method")}
              required
              data={PAYMENT_METHODS.map((m) => ({ value: m, label: i18n.t(`invoice.method.${m}`) }))}
              allowDeselect={false}
              {...form.getInputProps("method")}
              onChange={(v) => form.setFieldValue("method", v as PaymentMethod | null)}
            />
            <TextInput label={i18n.t("payment.reference")} autoComplete="off" maxLength={REFERENCE_MAX} {...form.getInputProps("reference")} />
          </SimpleGrid>
          <FormActions submitLabel={i18n.t("payment.submit")} busy={server.busy} onCancel={onClose} />
        </Stack>
      </form>

      <ConfirmDialog
        opened={asked?.open ?? false}
        testId="payment-confirm"
        title={i18n.t("payment.confirmTitle", { amount: i18n.money(asked?.body.amount ?? "0") })}
        confirmLabel={i18n.t("payment.confirm")}
        dismissLabel={i18n.t("payment.back")}
        closeLabel={i18n.t("app.close")}
        busy={server.busy}
        onConfirm={() => send()}
        onDismiss={() => setAsked((a) => a && { ...a, open: false })}
      >
        {asked && <PaymentSummary invoice={invoice} body={asked.body} />}
      </ConfirmDialog>
    </Paper>
  );
}

/** What the payment will do: who paid what, how, and what the balance becomes. */
function PaymentSummary({ invoice, body }: { invoice: InvoiceDetail; body: RecordPayment }) {
  const i18n = useI18n();
  return (
    <>
      <Text data-testid="confirm-text">
        {i18n.t("payment.confirmBody", {
          amount: i18n.money(body.amount),
          date: i18n.date(body.paid_on),
          method: i18n.t(`invoice.method.${body.method}`),
          reference: body.reference ? i18n.t("payment.confirmReference", { reference: body.reference }) : "",
          number: invoice.number,
          customer: invoice.buyer.legal_name,
        })}
      </Text>
      <Text fw={600} data-testid="confirm-balance">
        {i18n.t("payment.confirmBalance", {
          before: i18n.money(invoice.balance),
          after: i18n.money(balanceAfter(invoice.balance, body.amount)),
        })}
      </Text>
      <Text size="sm">{i18n.t("payment.confirmFinal")}</Text>
    </>
  );
}
