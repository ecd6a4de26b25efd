// An order's terms: how long the offer stands and the notes printed on the proforma.
// A draft's are edited here (PUT /orders/{id}/terms at the version shown); afterwards
// they are only shown.
import { useRef, useState } from "react";
import { Alert, Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import { ApiError } from "../api/problem";
import type { FieldError } from "../api/types";
import { ErrorAlert } from "../components/ErrorAlert";
import { formProblem } from "../lib/formErrors";
import { useFocusFirstInvalid } from "../lib/focus";
import { notify } from "../lib/notify";
import { useServices } from "../ServicesContext";
import { useOrderCommand, type OrderDetail } from "./api";
import { DateField } from "../components/DateField";
import { datePlaceholder, parisDay } from "../lib/dateInput";

/** 412: the order changed since it was shown. `current` is the version the server has now. */
export function OrderConflictAlert({ error, onReload }: { error: ApiError; onReload: (current: number | null) => void }) {
  const i18n = useI18n();
  return (
    <Alert color="orange" role="alert" variant="light" data-testid="conflict">
      <Text size="sm">{i18n.t("order.conflict")}</Text>
      <Button
        size="xs"
        mt="sm"
        onClick={() => {
          const current = Number(error.extra("current_version"));
          onReload(Number.isInteger(current) && current > 0 ? current : null);
        }}
      >
        {i18n.t("product.reload")}
      </Button>
    </Alert>
  );
}

export function OrderTerms({ order, editable, reload }: { order: OrderDetail; editable: boolean; reload: () => void }) {
  return editable ? <TermsForm order={order} reload={reload} /> : <TermsView order={order} />;
}

function TermsView({ order }: { order: OrderDetail }) {
  const i18n = useI18n();
  const expired = !!order.valid_until && order.valid_until < parisDay() && (order.status === "draft" || order.status === "submitted");
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="order-terms" data-testid="terms">
      <Stack gap="xs">
        <Title order={2} size="h4" id="order-terms">
          {i18n.t("order.terms")}
        </Title>
        <div>
          <Text size="sm" fw={600}>
            {i18n.t("order.validUntil")}
          </Text>
          <Group gap="xs">
            <Text data-testid="terms-valid-until">{order.valid_until ? i18n.date(order.valid_until) : i18n.t("order.noValidity")}</Text>
            {expired && (
              <Badge variant="light" styles={{ root: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-orange-1)" } }}>
                {i18n.t("order.expired")}
              </Badge>
            )}
          </Group>
        </div>
        <div>
          <Text size="sm" fw={600}>
            {i18n.t("order.notes")}
          </Text>
          <Text data-testid="terms-notes" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} c={order.notes ? undefined : "dimmed"}>
            {order.notes || i18n.t("order.noNotes")}
          </Text>
        </div>
      </Stack>
    </Paper>
  );
}

const TERMS_FIELDS = ["valid_until", "notes"] as const;

function TermsForm({ order, reload }: { order: OrderDetail; reload: () => void }) {
  const i18n = useI18n();
  const { writes } = useServices();
  const command = useOrderCommand(order.id);
  const ref = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(ref);

  const server = { validUntil: order.valid_until ?? null, notes: order.notes ?? "" };
  const [base, setBase] = useState(server);
  const [validUntil, setValidUntil] = useState<string | null>(server.validUntil);
  const [notes, setNotes] = useState(server.notes);
  const [dateUnreadable, setDateUnreadable] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<(typeof TERMS_FIELDS)[number], string>>>({});
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  // The terms changed on the server (saved here, or read again after a conflict): the form
  // follows them, except for a field the person has changed since.
  if (base.validUntil !== server.validUntil || base.notes !== server.notes) {
    if (validUntil === base.validUntil) setValidUntil(server.validUntil);
    if (notes === base.notes) setNotes(server.notes);
    setBase(server);
  }

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (dateUnreadable) {
      setErrors({ valid_until: i18n.t("date.invalid", { format: datePlaceholder(i18n.lang) }) });
      focusFirstInvalid();
      return;
    }
    const body = { notes: notes.trim() ? notes.trim() : null, valid_until: validUntil || null };
    if (body.notes === (order.notes ?? null) && body.valid_until === (order.valid_until ?? null)) {
      notify(i18n, i18n.t("order.termsUnchanged"), "blue");
      return;
    }
    setErrors({});
    setUnmatched([]);
    command.mutate(
      { command: { kind: "setTerms", body }, version: order.version },
      {
        onSuccess: () => notify(i18n, i18n.t("order.termsSaved")),
        onError: (error) => {
          const problem = formProblem(error, TERMS_FIELDS, i18n.field);
          setErrors(problem.fields);
          setUnmatched(problem.unmatched);
          focusFirstInvalid();
        },
      },
    );
  };
  const conflict = command.error instanceof ApiError && command.error.status === 412;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="order-terms" data-testid="terms">
      <form ref={ref} noValidate onSubmit={submit}>
        <Stack gap="sm">
          <Title order={2} size="h4" id="order-terms">
            {i18n.t("order.terms")}
          </Title>
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
              <ErrorAlert error={command.error} extra={unmatched} />
            ))}
          <DateField
            label={i18n.t("order.validUntil")}
            name="valid_until"
            description={i18n.t("order.validUntilHint")}
            value={validUntil}
            onChange={(v) => {
              setValidUntil(v);
              setErrors(({ valid_until: _, ...rest }) => rest);
            }}
            onUnreadable={setDateUnreadable}
            error={errors.valid_until}
            w={220}
          />
          <Textarea
            label={i18n.t("order.notes")}
            name="notes"
            description={i18n.t("order.notesHint", { count: i18n.number(notes.length) })}
            value={notes}
            onChange={(e) => {
              // The notes are one paragraph (the server refuses control characters): a line
              // break typed or pasted becomes a space.
              setNotes(e.currentTarget.value.replace(/\r\n|[\r\n\t]/g, " "));
              if (errors.notes) setErrors(({ notes: _, ...rest }) => rest);
            }}
            error={errors.notes}
            rows={4}
            resize="vertical"
          />
          <Group>
            <Button type="submit" variant="default" loading={command.isPending}>
              {i18n.t("order.saveTerms")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
