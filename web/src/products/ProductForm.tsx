import { Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useI18n } from "../i18n/useI18n";
import { FormActions, FormErrorAlert, useServerForm, type RecordFormProps } from "../components/ServerForm";
import { PRODUCT_FIELDS, UNITS, VAT_RATES, validateProduct, type ProductFormValues } from "./model";

export function ProductForm({
  initialValues,
  mode,
  readOnly = false,
  onSubmit,
  onCancel,
  renderError,
}: RecordFormProps<ProductFormValues>) {
  const i18n = useI18n();
  const form = useForm<ProductFormValues>({
    initialValues,
    validate: (values) =>
      validateProduct(values, { required: i18n.t("form.required"), decimal: i18n.t("form.decimal") }),
  });
  const server = useServerForm(form, PRODUCT_FIELDS);

  const vatRates = VAT_RATES.includes(form.values.vat_rate as (typeof VAT_RATES)[number])
    ? [...VAT_RATES]
    : [...VAT_RATES, form.values.vat_rate];

  return (
    <form ref={server.ref} noValidate onSubmit={server.onSubmit(onSubmit)}>
      <Stack maw={720}>
        <FormErrorAlert form={server} render={renderError} />
        <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={i18n.t("product.sku")}
              required
              disabled={mode === "edit"}
              autoComplete="off"
              {...form.getInputProps("sku")}
            />
            <TextInput label={i18n.t("product.name")} required {...form.getInputProps("name")} />
            <TextInput
              label={i18n.t("product.price")}
              required
              inputMode="decimal"
              autoComplete="off"
              {...form.getInputProps("price")}
            />
            <Select
              label={i18n.t("product.vat_rate")}
              required
              allowDeselect={false}
              data={vatRates.map((rate) => ({ value: rate, label: i18n.percent(rate) }))}
              {...form.getInputProps("vat_rate")}
            />
            <Select
              label={i18n.t("product.unit")}
              required
              allowDeselect={false}
              data={UNITS.map((unit) => ({ value: unit, label: i18n.t(`unit.${unit}` as const) }))}
              {...form.getInputProps("unit")}
            />
            <TextInput
              label={i18n.t("product.category")}
              required
              {...form.getInputProps("category")}
            />
            <TextInput
              label={i18n.t("product.barcode")}
              description={i18n.t("product.optional")}
              inputMode="numeric"
              autoComplete="off"
              {...form.getInputProps("barcode")}
            />
            <TextInput
              label={i18n.t("product.low_stock_threshold")}
              description={i18n.t("product.optional")}
              inputMode="decimal"
              autoComplete="off"
              {...form.getInputProps("low_stock_threshold")}
            />
          </SimpleGrid>
        </fieldset>
        <FormActions
          submitLabel={mode === "create" ? i18n.t("product.create") : i18n.t("product.save")}
          busy={server.busy}
          onCancel={onCancel}
          readOnly={readOnly}
          backLabel={i18n.t("product.back")}
        />
      </Stack>
    </form>
  );
}
