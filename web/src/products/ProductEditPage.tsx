import { Alert, Button, Group, Stack, Text, Title } from "@mantine/core";
import { useNavigate, useParams } from "react-router";
import { useServices } from "../ServicesContext";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { ApiError } from "../api/problem";
import type { ProductRow } from "../api/types";
import { QueryStatus } from "../components/QueryStatus";
import { ErrorAlert } from "../components/ErrorAlert";
import { useProduct, useProductLifecycle, useUpdateProduct } from "./api";
import { ProductForm } from "./ProductForm";
import { ConflictAlert } from "./ConflictAlert";
import { StatusBadge } from "./StatusBadge";
import { updateBody, valuesFromProduct } from "./model";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";

/** A 412 on a command: the If-Match version is not the current one. */
function isConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 412;
}

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
  const { writes } = useServices();
  const me = useMe();
  const update = useUpdateProduct(product.id);
  const lifecycle = useProductLifecycle(product.id);
  const writable = can(me.data?.permissions, "catalogue:write");
  const archived = product.status === "archived";
  useDocumentTitle(i18n.t("product.editTitle", { sku: product.sku }));

  /** Reload at least at the version the server said is current. */
  const reloadLatest = (error: ApiError) => {
    const current = Number(error.extra("current_version"));
    if (Number.isInteger(current) && current > 0) writes.record("product", product.id, current);
    lifecycle.reset();
    void reload();
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
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{i18n.t("product.editTitle", { sku: product.sku })}</Title>
          <Group gap="xs">
            <StatusBadge status={product.status} />
            <Text size="sm" c="dimmed" data-testid="version">
              {i18n.t("product.version", {
                version: product.version,
                date: i18n.dateTime(product.updated_at),
              })}
            </Text>
          </Group>
        </Stack>
        {writable && (
          <Button
            variant={archived ? "filled" : "default"}
            onClick={toggleArchive}
            loading={lifecycle.isPending}
          >
            {i18n.t(archived ? "product.reactivate" : "product.archive")}
          </Button>
        )}
      </Group>

      {lifecycle.error &&
        (isConflict(lifecycle.error) ? (
          <ConflictAlert onReload={() => reloadLatest(lifecycle.error as ApiError)} reloading={reloading} />
        ) : (
          <ErrorAlert error={lifecycle.error} />
        ))}
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
        renderError={(error) =>
          isConflict(error) ? (
            <ConflictAlert onReload={() => reloadLatest(error)} reloading={reloading} />
          ) : undefined
        }
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
