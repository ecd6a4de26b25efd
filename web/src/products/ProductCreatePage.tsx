import { Stack, Title } from "@mantine/core";
import { useNavigate } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useCreateProduct } from "./api";
import { ProductForm } from "./ProductForm";
import { EMPTY_PRODUCT, createBody } from "./model";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";

export function ProductCreatePage() {
  const i18n = useI18n();
  const navigate = useNavigate();
  const create = useCreateProduct();
  useDocumentTitle(i18n.t("product.createTitle"));
  return (
    <Stack>
      <Title order={1}>{i18n.t("product.createTitle")}</Title>
      <ProductForm
        mode="create"
        initialValues={EMPTY_PRODUCT}
        onCancel={() => navigate("/products")}
        onSubmit={async (values) => {
          const body = createBody(values);
          await create.mutateAsync(body);
          notify(i18n, i18n.t("product.created", { sku: body.sku }));
          // The list reads at the returned version: the new product is in it.
          navigate("/products");
        }}
      />
    </Stack>
  );
}
