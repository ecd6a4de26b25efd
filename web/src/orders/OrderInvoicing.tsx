// A fulfilled order's invoice: a link to it once issued; before, "issue the invoice" for
// those who may (admin, sales), after a dialog that says what will be issued, then the new
// invoice's page. Already invoiced meanwhile (409 order_already_invoiced): a link to it.
import { useState } from "react";
import { Alert, Anchor, Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { Link, useNavigate } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { isApiError } from "../api/problem";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { QueryStatus } from "../components/QueryStatus";
import { plural } from "../components/Quantity";
import { notify } from "../lib/notify";
import { useIssueInvoice, useOrderInvoice, type OrderDetail } from "./api";

export function OrderInvoicing({ order, mayIssue }: { order: OrderDetail; mayIssue: boolean }) {
  const i18n = useI18n();
  const navigate = useNavigate();
  const invoice = useOrderInvoice(order, true);
  const issue = useIssueInvoice();
  const [open, setOpen] = useState(false);
  const existing = isApiError(issue.error, "order_already_invoiced") ? String(issue.error.extra("invoice_id") ?? "") : "";
  const count = order.lines.length;
  const lines = i18n.t(plural(count, i18n.lang, { one: "order.lines.one", other: "order.lines.other" }), { count: i18n.number(count) });

  const confirm = () =>
    issue.mutate(order.id, {
      onSuccess: (result) => {
        notify(i18n, i18n.t("order.invoiced", { number: result.number }));
        navigate(`/invoices/${result.id}`);
      },
      onSettled: () => setOpen(false),
    });

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="order-invoicing" data-testid="invoicing">
      <Stack gap="sm">
        <Title order={2} size="h3" id="order-invoicing">
          {i18n.t("order.invoicing")}
        </Title>
        {invoice.data === undefined ? (
          <QueryStatus query={invoice} />
        ) : invoice.data ? (
          <Text>
            {i18n.t("order.invoicedAs")}{" "}
            <Anchor component={Link} to={`/invoices/${invoice.data.id}`} ff="monospace" data-testid="invoice-link">
              {invoice.data.number}
            </Anchor>
          </Text>
        ) : existing ? (
          <Alert color="blue" variant="light" role="status" data-testid="already-invoiced">
            <Group gap="xs">
              <Text size="sm">{i18n.t("order.alreadyInvoiced")}</Text>
              <Anchor component={Link} to={`/invoices/${existing}`} size="sm">
                {i18n.t("order.openInvoice")}
              </Anchor>
            </Group>
          </Alert>
        ) : (
          <>
            <Text>{i18n.t("order.notInvoiced")}</Text>
            {issue.error !== null && <ErrorAlert error={issue.error} />}
            {mayIssue && (
              <Group>
                <Button onClick={() => setOpen(true)} loading={issue.isPending}>
                  {i18n.t("order.issueInvoice")}
                </Button>
              </Group>
            )}
          </>
        )}
      </Stack>
      <ConfirmDialog
        opened={open}
        testId="invoice-confirm"
        title={i18n.t("order.confirm.invoiceTitle", { number: order.number })}
        confirmLabel={i18n.t("order.confirm.invoice")}
        dismissLabel={i18n.t("order.confirm.back")}
        closeLabel={i18n.t("app.close")}
        busy={issue.isPending}
        onConfirm={confirm}
        onDismiss={() => setOpen(false)}
      >
        <Text data-testid="confirm-text">
          {i18n.t("order.confirm.invoiceBody", {
            customer: order.customer_name ?? i18n.t("order.confirm.noCustomer"),
            lines,
            net: i18n.money(order.total_net),
            gross: i18n.money(order.total_gross),
          })}
        </Text>
        <Text size="sm" fw={600}>
          {i18n.t("order.confirm.invoiceFinal")}
        </Text>
      </ConfirmDialog>
    </Paper>
  );
}
