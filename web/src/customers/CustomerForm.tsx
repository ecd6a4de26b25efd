import { Fieldset, Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useI18n } from "../i18n/useI18n";
import { FormActions, FormErrorAlert, useServerForm, type RecordFormProps } from "../components/ServerForm";
import { PAYMENT_TERMS } from "./api";
import { CUSTOMER_FIELDS, sirenFromSiret, validateCustomer, type CustomerFormValues } from "./model";

export function CustomerForm({
  initialValues,
  mode,
  readOnly = false,
  onSubmit,
  onCancel,
  renderError,
}: RecordFormProps<CustomerFormValues>) {
  const i18n = useI18n();
  const form = useForm<CustomerFormValues>({
    initialValues,
    validate: (values) =>
      validateCustomer(values, { required: i18n.t("form.required"), decimal: i18n.t("form.decimal") }),
  });
  const server = useServerForm(form, CUSTOMER_FIELDS);

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
    <form ref={server.ref} noValidate onSubmit={server.onSubmit(onSubmit)}>
      <Stack maw={820}>
        <FormErrorAlert form={server} render={renderError} />
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
              <TextInput
                label={i18n.t("customer.siret")}
                autoComplete="off"
                {...form.getInputProps("siret")}
                onBlur={() => {
                  // As ERPs do: a SIRET names its SIREN (its first 9 digits).
                  const siren = sirenFromSiret(form.values.siret, form.values.siren);
                  if (siren) form.setFieldValue("siren", siren);
                }}
              />
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
        <FormActions
          submitLabel={i18n.t(mode === "create" ? "customer.create" : "customer.save")}
          busy={server.busy}
          onCancel={onCancel}
          readOnly={readOnly}
          backLabel={i18n.t("customer.back")}
        />
      </Stack>
    </form>
  );
}
