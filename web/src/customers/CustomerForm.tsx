import { useRef, useState, type ReactNode } from "react";
import { Button, Fieldset, Group, Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useI18n } from "../i18n/useI18n";
import { ErrorAlert } from "../components/ErrorAlert";
import { formProblem } from "../lib/formErrors";
import { useFocusFirstInvalid } from "../lib/focus";
import type { FieldError } from "../api/types";
import { PAYMENT_TERMS } from "./api";
import { CUSTOMER_FIELDS, validateCustomer, type CustomerFormValues } from "./model";

interface Props {
  initialValues: CustomerFormValues;
  mode: "create" | "edit";
  readOnly?: boolean;
  onSubmit: (values: CustomerFormValues) => Promise<void>;
  onCancel: () => void;
  renderError?: (error: unknown) => ReactNode | undefined;
}

export function CustomerForm({ initialValues, mode, readOnly = false, onSubmit, onCancel, renderError }: Props) {
  const i18n = useI18n();
  const ref = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(ref);
  const [error, setError] = useState<unknown>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const form = useForm<CustomerFormValues>({
    initialValues,
    validate: (values) =>
      validateCustomer(values, { required: i18n.t("form.required"), decimal: i18n.t("form.decimal") }),
  });

  const submit = async (values: CustomerFormValues) => {
    setBusy(true);
    setError(null);
    setUnmatched([]);
    try {
      await onSubmit(values);
    } catch (e) {
      const problem = formProblem(e, CUSTOMER_FIELDS, i18n.field);
      form.setErrors(problem.fields);
      setUnmatched(problem.unmatched);
      setError(e);
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  const custom = error !== null ? renderError?.(error) : undefined;
  const address = (key: "billing_address" | "shipping_address") => (
    <Fieldset legend={i18n.t(`customer.${key}`)}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={i18n.t("customer.line1")} autoComplete="off" {...form.getInputProps(`${key}.line1`)} />
        <TextInput label={i18n.t("customer.line2")} autoComplete="off" {...form.getInputProps(`${key}.line2`)} />
        <TextInput label={i18n.t("customer.postal_code")} autoComplete="off" {...form.getInputProps(`${key}.postal_code`)} />
        <TextInput label={i18n.t("customer.city")} autoComplete="off" {...form.getInputProps(`${key}.city`)} />
        <TextInput
          label={i18n.t("customer.country")}
          description={i18n.t("customer.countryHint")}
          maxLength={2}
          autoComplete="off"
          {...form.getInputProps(`${key}.country`)}
        />
      </SimpleGrid>
    </Fieldset>
  );

  return (
    <form ref={ref} noValidate onSubmit={form.onSubmit(submit, () => focusFirstInvalid())}>
      <Stack maw={820}>
        {custom ?? (error !== null && <ErrorAlert error={error} extra={unmatched} />)}
        <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={i18n.t("customer.code")}
                required
                disabled={mode === "edit"}
                autoComplete="off"
                {...form.getInputProps("code")}
              />
              <TextInput label={i18n.t("customer.legal_name")} required autoComplete="off" {...form.getInputProps("legal_name")} />
              <TextInput label={i18n.t("customer.siren")} autoComplete="off" {...form.getInputProps("siren")} />
              <TextInput label={i18n.t("customer.siret")} autoComplete="off" {...form.getInputProps("siret")} />
              <TextInput label={i18n.t("customer.vat_number")} autoComplete="off" {...form.getInputProps("vat_number")} />
              <TextInput label={i18n.t("customer.email")} type="email" autoComplete="off" {...form.getInputProps("email")} />
              <TextInput label={i18n.t("customer.phone")} type="tel" autoComplete="off" {...form.getInputProps("phone")} />
              <Select
                label={i18n.t("customer.payment_terms")}
                data={PAYMENT_TERMS.map((t) => ({ value: t, label: i18n.t(`terms.${t}`) }))}
                allowDeselect={false}
                {...form.getInputProps("payment_terms")}
              />
              <TextInput
                label={i18n.t("customer.credit_limit")}
                inputMode="decimal"
                autoComplete="off"
                {...form.getInputProps("credit_limit")}
              />
            </SimpleGrid>
            {address("billing_address")}
            {address("shipping_address")}
          </Stack>
        </fieldset>
        {!readOnly && (
          <Group>
            <Button type="submit" loading={busy}>
              {i18n.t(mode === "create" ? "customer.create" : "customer.save")}
            </Button>
            <Button variant="default" onClick={onCancel}>
              {i18n.t("product.cancel")}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
