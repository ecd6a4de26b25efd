import { Alert, Button, Stack } from "@mantine/core";
import { useNavigate, useParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import type { ProductRow } from "../api/types";
import { QueryStatus } from "../components/QueryStatus";
import { CommandError, conflictBanner, useReloadLatest } from "../components/ConflictAlert";
import { ArchiveStatusBadge } from "../components/StatusBadge";
import { RecordHeader } from "../components/RecordHeader";
import { useProduct, useProductLifecycle, useUpdateProduct } from "./api";
import { ProductForm } from "./ProductForm";
import { updateBody, valuesFromProduct } from "./model";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";

export function ProductEditPage() {
  const { id = "" } = useParams();
  const product = useProduct(id);
  return (
    <Stack>
      {product.data ? (
        <ProductEditor product={product.data} reload={product.refetch} reloading={product.isFetching} />
      ) : (
        <QueryStatus query={product} />
      )}
    </Stack>
  );
}

function ProductEditor({
  product,
  reload,
  reloading,
}: {
  product: ProductRow;
  reload: () => Promise<unknown>;
  reloading: boolean;
}) {
  const i18n = useI18n();
  const navigate = useNavigate();
  const me = useMe();
  const update = useUpdateProduct(product.id);
  const lifecycle = useProductLifecycle(product.id);
  const writable = can(me.data?.permissions, "catalogue:write");
  const archived = product.status === "archived";
  const title = i18n.t("product.editTitle", { sku: product.sku });
  useDocumentTitle(title);
  const reloadAt = useReloadLatest("product", product.id, reload);
  const reloadLatest = (error: Parameters<typeof reloadAt>[0]) => {
    lifecycle.reset();
    reloadAt(error);
  };

  const toggleArchive = () =>
    lifecycle.mutate(
      { action: archived ? "reactivate" : "archive", version: product.version },
      {
        onSuccess: () =>
          notify(i18n, i18n.t(archived ? "product.reactivated" : "product.archived")),
      },
    );

  return (
    <>
      <RecordHeader
        title={title}
        status={<ArchiveStatusBadge status={product.status} />}
        version={product.version}
        updatedAt={product.updated_at}
        actions={
          writable && (
            <Button
              variant={archived ? "filled" : "default"}
              onClick={toggleArchive}
              loading={lifecycle.isPending}
            >
              {i18n.t(archived ? "product.reactivate" : "product.archive")}
            </Button>
          )
        }
      />

      {lifecycle.error && (
        <CommandError
          error={lifecycle.error}
          conflict={i18n.t("product.conflict")}
          onReload={reloadLatest}
          reloading={reloading}
        />
      )}
      {archived && (
        <Alert color="gray" variant="light">
          {i18n.t("product.isArchived")}
        </Alert>
      )}
      {!writable && (
        <Alert color="blue" variant="light">
          {i18n.t("product.readOnly")}
        </Alert>
      )}

      <ProductForm
        // A new version (after a save or a reload) starts the form afresh from it.
        key={`${product.id}@${product.version}`}
        mode="edit"
        readOnly={!writable}
        initialValues={valuesFromProduct(product, i18n.lang)}
        onCancel={() => navigate("/products")}
        renderError={conflictBanner(i18n.t("product.conflict"), reloadLatest, reloading)}
        onSubmit={async (values) => {
          const body = updateBody(product, values);
          if (Object.keys(body).length === 0) {
            notify(i18n, i18n.t("product.nothingChanged"), "blue");
            return;
          }
          await update.mutateAsync({ body, version: product.version });
          notify(i18n, i18n.t("product.saved"));
          navigate("/products");
        }}
      />
    </>
  );
}
