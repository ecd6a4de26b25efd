// One invoice as issued: parties, lines, VAT per rate, totals, due date and balance, its
// credit notes with their lines and its payments; "record a payment" (admin, sales) and
// "issue a credit note" (admin) open their forms here.
import { useState, type ReactNode } from "react";
import { Anchor, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { DocumentTotals } from "../components/DocumentTotals";
import { Link, useParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { CREDIT_NOTE_WRITERS, INVOICE_WRITERS, hasRole } from "../auth/permissions";
import { QueryStatus } from "../components/QueryStatus";
import { RecordHeader } from "../components/RecordHeader";
import { formatQuantity } from "../components/Quantity";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useInvoice } from "./api";
import { compareDecimal, creditable, owes, subtractDecimal, type CreditNote, type InvoiceDetail } from "./model";
import { InvoiceStatusBadge } from "./InvoiceStatusBadge";
import { InvoiceDocuments } from "./InvoiceDocuments";
import { PaymentForm } from "./PaymentForm";
import { CreditNoteForm } from "./CreditNoteForm";

type Panel = "payment" | "creditNote";

export function InvoicePage() {
  const { id = "" } = useParams();
  const invoice = useInvoice(id);
  return (
    <Stack>
      {invoice.data ? (
        <InvoiceView invoice={invoice.data} reload={() => invoice.refetch()} reloading={invoice.isFetching} />
      ) : (
        <QueryStatus query={invoice} />
      )}
    </Stack>
  );
}

function InvoiceView({ invoice, reload, reloading }: { invoice: InvoiceDetail; reload: () => Promise<unknown>; reloading: boolean }) {
  const i18n = useI18n();
  const me = useMe();
  useDocumentTitle(i18n.t("invoice.title", { number: invoice.number }));
  const mayPay = hasRole(me.data?.roles, INVOICE_WRITERS) && owes(invoice);
  const mayCredit = hasRole(me.data?.roles, CREDIT_NOTE_WRITERS) && creditable(invoice.lines);
  const [panel, setPanel] = useState<Panel | null>(null);
  // A second click on the open panel's button brings the focus back to its heading.
  const [opened, setOpened] = useState(0);
  const open = (p: Panel) => {
    setPanel(p);
    setOpened((n) => n + 1);
  };
  const forms = { reload, reloading, opened, onClose: () => setPanel(null) };

  return (
    <>
      <RecordHeader
        title={i18n.t("invoice.title", { number: invoice.number })}
        status={<InvoiceStatusBadge status={invoice.status} />}
        version={invoice.version}
        updatedAt={invoice.updated_at}
        actions={
          <>
            <InvoiceDocuments invoice={invoice} />
            <Anchor component={Link} to="/invoices">
              {i18n.t("invoice.back")}
            </Anchor>
          </>
        }
      />

      {(mayPay || mayCredit) && (
        <Group>
          {mayPay && (
            <Button onClick={() => open("payment")} aria-expanded={panel === "payment"} aria-controls="invoice-panel">
              {i18n.t("invoice.recordPayment")}
            </Button>
          )}
          {mayCredit && (
            <Button variant="default" onClick={() => open("creditNote")} aria-expanded={panel === "creditNote"} aria-controls="invoice-panel">
              {i18n.t("invoice.issueCreditNote")}
            </Button>
          )}
        </Group>
      )}
      <div id="invoice-panel">
        {panel === "payment" && mayPay && <PaymentForm key={`payment-${invoice.id}`} invoice={invoice} {...forms} />}
        {panel === "creditNote" && mayCredit && <CreditNoteForm key={`credit-${invoice.id}`} invoice={invoice} {...forms} />}
      </div>

      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Section title={i18n.t("invoice.dates")} testId="invoice-dates">
          <Facts
            rows={[
              [
                i18n.t("invoice.order"),
                <Anchor key="order" component={Link} to={`/orders/${invoice.order_id}`} ff="monospace">
                  {invoice.order_number}
                </Anchor>,
              ],
              [i18n.t("invoice.issueDate"), i18n.date(invoice.issue_date)],
              [i18n.t("invoice.deliveryDate"), i18n.date(invoice.delivery_date)],
              [i18n.t("invoice.dueDate"), <span data-testid="due-date">{i18n.date(invoice.due_date)}</span>],
              [i18n.t("invoice.terms"), i18n.t(`terms.${invoice.payment_terms}`)],
            ]}
          />
        </Section>
        <Seller invoice={invoice} />
        <Buyer invoice={invoice} />
      </SimpleGrid>

      <Lines invoice={invoice} />
      <Totals invoice={invoice} />
      <CreditNotes invoice={invoice} />
      <Payments invoice={invoice} />
      <Transmissions invoice={invoice} />
    </>
  );
}

function Section({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) {
  const id = `section-${testId ?? title}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id} data-testid={testId}>
      <Stack gap="xs">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

/** Labelled values, as a description list: each label above its value (the cards are narrow). */
function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <Stack component="dl" gap={6} m={0}>
      {rows.map(([label, value]) => (
        <div key={label}>
          <Text component="dt" size="xs" fw={700}>
            {label}
          </Text>
          <Text component="dd" size="sm" m={0}>
            {value}
          </Text>
        </div>
      ))}
    </Stack>
  );
}

type Address = NonNullable<InvoiceDetail["buyer"]["billing_address"]>;

function AddressLines({ address }: { address: Address }) {
  const i18n = useI18n();
  let country = address.country;
  try {
    country = new Intl.DisplayNames([i18n.lang === "fr" ? "fr-FR" : "en-GB"], { type: "region" }).of(address.country) ?? address.country;
  } catch {
    // an unknown code: shown as it is
  }
  return (
    <>
      {[address.line1, address.line2, `${address.postal_code} ${address.city}`, country].filter(Boolean).map((l, i) => (
        <span key={i} style={{ display: "block" }}>
          {l}
        </span>
      ))}
    </>
  );
}

function Seller({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  const s = invoice.seller;
  const rows: [string, ReactNode][] = [
    [i18n.t("customer.legal_name"), [s.name, s.legal_form].filter(Boolean).join(", ")],
    [i18n.t("customer.line1"), s.address.map((l, i) => <span key={i} style={{ display: "block" }}>{l}</span>)],
    [i18n.t("invoice.siret"), s.siret],
    [i18n.t("invoice.vatNumber"), s.vat_number],
  ];
  if (s.rcs) rows.push([i18n.t("invoice.rcs"), s.rcs]);
  if (s.capital) rows.push([i18n.t("invoice.capital"), i18n.money(s.capital)]);
  if (s.email) rows.push([i18n.t("invoice.email"), s.email]);
  if (s.phone) rows.push([i18n.t("invoice.phone"), s.phone]);
  return (
    <Section title={i18n.t("invoice.seller")} testId="invoice-seller">
      <Facts rows={rows} />
    </Section>
  );
}

function Buyer({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  const b = invoice.buyer;
  const rows: [string, ReactNode][] = [
    [i18n.t("customer.legal_name"), b.legal_name],
    [i18n.t("invoice.customerCode"), b.code],
  ];
  if (b.siren) rows.push([i18n.t("invoice.siren"), b.siren]);
  if (b.siret) rows.push([i18n.t("invoice.siret"), b.siret]);
  if (b.vat_number) rows.push([i18n.t("invoice.vatNumber"), b.vat_number]);
  if (b.billing_address) rows.push([i18n.t("invoice.billingAddress"), <AddressLines key="billing" address={b.billing_address} />]);
  if (b.shipping_address) rows.push([i18n.t("invoice.shippingAddress"), <AddressLines key="shipping" address={b.shipping_address} />]);
  if (b.email) rows.push([i18n.t("invoice.email"), b.email]);
  return (
    <Section title={i18n.t("invoice.buyer")} testId="invoice-buyer">
      <Facts rows={rows} />
      <Text size="xs" c="dimmed">
        {i18n.t("invoice.snapshot")}
      </Text>
    </Section>
  );
}

function Lines({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  const anyCredit = invoice.lines.some((l) => compareDecimal(l.credited_net, "0") !== 0 || compareDecimal(l.credited_quantity, "0") !== 0);
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        {i18n.t("invoice.lines")}
      </Title>
      <Table.ScrollContainer minWidth={860}>
        <Table striped data-testid="lines">
          <VisuallyHidden component="caption">{i18n.t("invoice.lines")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
              <Table.Th scope="col">{i18n.t("order.label")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("stock.quantity")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("order.unitPrice")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("order.discount")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("products.col.vat")}</Table.Th>
              <Table.Th scope="col" ta="right">{i18n.t("order.net")}</Table.Th>
              {anyCredit && <Table.Th scope="col" ta="right">{i18n.t("invoice.credited")}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {invoice.lines.map((l) => (
              <Table.Tr key={l.line_no} data-testid={`line-${l.sku}`}>
                <Table.Td ff="monospace">{l.sku}</Table.Td>
                <Table.Td>{l.label}</Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>{formatQuantity(l.quantity, l.unit, i18n.lang)}</Table.Td>
                <Table.Td ta="right">{i18n.money(l.unit_price)}</Table.Td>
                <Table.Td ta="right">{i18n.percent(l.discount)}</Table.Td>
                <Table.Td ta="right">{i18n.percent(l.vat_rate)}</Table.Td>
                <Table.Td ta="right">{i18n.money(l.net)}</Table.Td>
                {anyCredit && (
                  <Table.Td ta="right" style={{ whiteSpace: "nowrap" }} data-testid="credited">
                    {compareDecimal(l.credited_net, "0") === 0 && compareDecimal(l.credited_quantity, "0") === 0
                      ? "—"
                      : i18n.t("invoice.creditedValue", {
                          quantity: formatQuantity(l.credited_quantity, l.unit, i18n.lang),
                          amount: i18n.money(l.credited_net),
                        })}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function Totals({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  const refund = compareDecimal(invoice.balance, "0") < 0;
  return (
    <DocumentTotals
      totals={invoice}
      caption={i18n.t("invoice.totals")}
      maw={520}
      after={
        refund && (
          <Text size="sm" fw={600} mt="xs" data-testid="refund">
            {i18n.t("invoice.refundOwed", { amount: i18n.money(negated(invoice.balance)) })}
          </Text>
        )
      }
    >
      <Table.Tr>
        <Table.Th scope="row" fw={400}>{i18n.t("invoice.totalCredited")}</Table.Th>
        <Table.Td ta="right" data-testid="total-credited">{i18n.money(negated(invoice.credited))}</Table.Td>
      </Table.Tr>
      <Table.Tr>
        <Table.Th scope="row" fw={400}>{i18n.t("invoice.totalPaid")}</Table.Th>
        <Table.Td ta="right" data-testid="total-paid">{i18n.money(negated(invoice.paid))}</Table.Td>
      </Table.Tr>
      <Table.Tr>
        <Table.Th scope="row">{i18n.t("invoice.balance")}</Table.Th>
        <Table.Td ta="right" fw={700} data-testid="balance">{i18n.money(invoice.balance)}</Table.Td>
      </Table.Tr>
    </DocumentTotals>
  );
}

/** −x, for the amounts taken off the total (0 stays 0). */
function negated(value: string): string {
  return compareDecimal(value, "0") === 0 ? value : subtractDecimal("0", value);
}

function CreditNotes({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  return (
    <Stack gap="xs" component="section" aria-labelledby="credit-notes">
      <Title order={2} size="h3" id="credit-notes">
        {i18n.t("invoice.creditNotes")}
      </Title>
      {invoice.credit_notes.length === 0 && <Text c="dimmed">{i18n.t("invoice.noCreditNotes")}</Text>}
      {invoice.credit_notes.map((c) => (
        <CreditNoteView key={c.id} invoice={invoice} note={c} />
      ))}
    </Stack>
  );
}

function CreditNoteView({ invoice, note }: { invoice: InvoiceDetail; note: CreditNote }) {
  const i18n = useI18n();
  const unitOf = (lineNo: number) => invoice.lines.find((l) => l.line_no === lineNo)?.unit ?? "piece";
  const title = i18n.t("invoice.creditNoteTitle", { number: note.number, date: i18n.date(note.issue_date) });
  return (
    <Paper withBorder p="md" data-testid={`credit-note-${note.number}`}>
      <Stack gap="xs">
        <Title order={3} size="h4">
          {title}
        </Title>
        <Text size="sm">
          {i18n.t("app.labelled", { label: i18n.t("invoice.reason") })} {note.reason}
        </Text>
        <Table.ScrollContainer minWidth={640}>
          <Table fz="sm">
            <VisuallyHidden component="caption">{title}</VisuallyHidden>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{i18n.t("products.col.sku")}</Table.Th>
                <Table.Th scope="col">{i18n.t("order.label")}</Table.Th>
                <Table.Th scope="col" ta="right">{i18n.t("invoice.credit")}</Table.Th>
                <Table.Th scope="col" ta="right">{i18n.t("products.col.vat")}</Table.Th>
                <Table.Th scope="col" ta="right">{i18n.t("order.net")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {note.lines.map((l) => (
                <Table.Tr key={l.line_no}>
                  <Table.Td ff="monospace">{l.sku}</Table.Td>
                  <Table.Td>{l.label}</Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
                    {l.quantity ? formatQuantity(l.quantity, unitOf(l.invoice_line_no), i18n.lang) : i18n.t("invoice.amountOff")}
                  </Table.Td>
                  <Table.Td ta="right">{i18n.percent(l.vat_rate)}</Table.Td>
                  <Table.Td ta="right">{i18n.money(l.net)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Text size="sm" ta="right" data-testid="credit-note-totals">
          {i18n.t("order.totalNet")} {i18n.money(note.total_net)}
          {note.vat_lines.map((v) => ` · ${i18n.t("invoice.vatRate", { rate: i18n.percent(v.rate) })} ${i18n.money(v.amount)}`)} ·{" "}
          <strong>
            {i18n.t("order.totalGross")} {i18n.money(note.total_gross)}
          </strong>
        </Text>
      </Stack>
    </Paper>
  );
}

function Payments({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  return (
    <Stack gap="xs" component="section" aria-labelledby="payments">
      <Title order={2} size="h3" id="payments">
        {i18n.t("invoice.payments")}
      </Title>
      {invoice.payments.length === 0 ? (
        <Text c="dimmed">{i18n.t("invoice.noPayments")}</Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped data-testid="payments">
            <VisuallyHidden component="caption">{i18n.t("invoice.payments")}</VisuallyHidden>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{i18n.t("invoice.paidOn")}</Table.Th>
                <Table.Th scope="col">{i18n.t("invoice.method")}</Table.Th>
                <Table.Th scope="col">{i18n.t("invoice.reference")}</Table.Th>
                <Table.Th scope="col" ta="right">{i18n.t("invoice.amount")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {invoice.payments.map((p) => (
                <Table.Tr key={p.id} data-testid="payment">
                  <Table.Td>{i18n.date(p.paid_on)}</Table.Td>
                  <Table.Td>{i18n.t(`invoice.method.${p.method}`)}</Table.Td>
                  <Table.Td>{p.reference ?? ""}</Table.Td>
                  <Table.Td ta="right">{i18n.money(p.amount)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/** What the approved platform said of the invoice and its credit notes (command-api deposits them). */
function Transmissions({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  return (
    <Stack gap="xs" component="section" aria-labelledby="transmission">
      <Title order={2} size="h3" id="transmission">
        {i18n.t("invoice.transmission")}
      </Title>
      {invoice.transmissions.length === 0 ? (
        <Text c="dimmed">{i18n.t("invoice.noTransmission")}</Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped data-testid="transmissions">
            <VisuallyHidden component="caption">{i18n.t("invoice.transmission")}</VisuallyHidden>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{i18n.t("invoice.document")}</Table.Th>
                <Table.Th scope="col">{i18n.t("invoice.deliveryStatus")}</Table.Th>
                <Table.Th scope="col">{i18n.t("invoice.reportedAt")}</Table.Th>
                <Table.Th scope="col">{i18n.t("invoice.platformRef")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {invoice.transmissions.map((t) => (
                <Table.Tr key={t.document_id} data-testid="transmission">
                  <Table.Td>{t.number}</Table.Td>
                  <Table.Td>
                    {i18n.t(`invoice.delivery.${t.status}`)}
                    {t.reason ? ` : ${t.reason}` : ""}
                  </Table.Td>
                  <Table.Td>{i18n.dateTime(t.reported_at)}</Table.Td>
                  <Table.Td>{t.platform_ref ?? ""}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
