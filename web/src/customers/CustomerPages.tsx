import { Alert, Badge, Button, Group, Stack, Text, Title } from "@mantine/core";
import { useNavigate, useParams } from "react-router";
import { useServices } from "../ServicesContext";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import { ApiError } from "../api/problem";
import { QueryStatus } from "../components/QueryStatus";
import { ErrorAlert } from "../components/ErrorAlert";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useCreateCustomer, useCustomer, useCustomerLifecycle, useUpdateCustomer, type CustomerRow } from "./api";
import { CustomerForm } from "./CustomerForm";
import { EMPTY_CUSTOMER, createBody, updateBody, valuesFromCustomer } from "./model";

function isConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 412;
}

function Conflict({ onReload, reloading }: { onReload: () => void; reloading: boolean }) {
  const i18n = useI18n();
  return (
    <Alert color="orange" role="alert" variant="light" data-testid="conflict">
      <Text size="sm" fw={600}>
        {i18n.t("customer.conflict")}
      </Text>
      <Text size="sm">{i18n.t("product.conflictHelp")}</Text>
      <Group mt="sm">
        <Button size="xs" onClick={onReload} loading={reloading}>
          {i18n.t("product.reload")}
        </Button>
      </Group>
    </Alert>
  );
}

export function CustomerStatusBadge({ status }: { status: CustomerRow["status"] }) {
  const i18n = useI18n();
  return (
    <Badge
      variant="light"
      styles={{
        root: {
          color: "var(--mantine-color-gray-9)",
          backgroundColor: status === "active" ? "var(--mantine-color-green-1)" : "var(--mantine-color-gray-2)",
        },
      }}
    >
      {i18n.t(status === "active" ? "products.status.active" : "products.status.archived")}
    </Badge>
  );
}

export function CustomerCreatePage() {
  const i18n = useI18n();
  const navigate = useNavigate();
  const create = useCreateCustomer();
  useDocumentTitle(i18n.t("customer.createTitle"));
  return (
    <Stack>
      <Title order={1}>{i18n.t("customer.createTitle")}</Title>
      <CustomerForm
        mode="create"
        initialValues={EMPTY_CUSTOMER}
        onCancel={() => navigate("/customers")}
        onSubmit={async (values) => {
          const result = await create.mutateAsync(createBody(values));
          notify(i18n, i18n.t("customer.created", { code: values.code.trim() }));
          navigate(`/customers/${result.id}`);
        }}
      />
    </Stack>
  );
}

export function CustomerEditPage() {
  const { id = "" } = useParams();
  const customer = useCustomer(id);
  return (
    <Stack>
      {customer.data ? (
        <CustomerEditor customer={customer.data} reload={customer.refetch} reloading={customer.isFetching} />
      ) : (
        <QueryStatus query={customer} />
      )}
    </Stack>
  );
}

function CustomerEditor({
  customer,
  reload,
  reloading,
}: {
  customer: CustomerRow;
  reload: () => Promise<unknown>;
  reloading: boolean;
}) {
  const i18n = useI18n();
  const navigate = useNavigate();
  const { writes } = useServices();
  const me = useMe();
  const update = useUpdateCustomer(customer.id);
  const lifecycle = useCustomerLifecycle(customer.id);
  const writable = can(me.data?.permissions, "catalogue:write");
  const archived = customer.status === "archived";
  useDocumentTitle(i18n.t("customer.editTitle", { code: customer.code }));
  const initial = valuesFromCustomer(customer, i18n.lang);

  const reloadLatest = (error: ApiError) => {
    const current = Number(error.extra("current_version"));
    if (Number.isInteger(current) && current > 0) writes.record("customer", customer.id, current);
    lifecycle.reset();
    void reload();
  };

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{i18n.t("customer.editTitle", { code: customer.code })}</Title>
          <Group gap="xs">
            <CustomerStatusBadge status={customer.status} />
            <Text size="sm" c="dimmed" data-testid="version">
              {i18n.t("product.version", { version: customer.version, date: i18n.dateTime(customer.updated_at) })}
            </Text>
          </Group>
        </Stack>
        {writable && (
          <Group>
            {!archived && can(me.data?.permissions, "orders:write") && (
              <Button variant="default" onClick={() => navigate(`/orders/new?customer=${customer.id}`)}>
                {i18n.t("customer.newOrder")}
              </Button>
            )}
            <Button
              variant={archived ? "filled" : "default"}
              loading={lifecycle.isPending}
              onClick={() =>
                lifecycle.mutate(
                  { action: archived ? "reactivate" : "archive", version: customer.version },
                  { onSuccess: () => notify(i18n, i18n.t(archived ? "customer.reactivated" : "customer.archived")) },
                )
              }
            >
              {i18n.t(archived ? "product.reactivate" : "product.archive")}
            </Button>
          </Group>
        )}
      </Group>
      {lifecycle.error &&
        (isConflict(lifecycle.error) ? (
          <Conflict onReload={() => reloadLatest(lifecycle.error as ApiError)} reloading={reloading} />
        ) : (
          <ErrorAlert error={lifecycle.error} />
        ))}
      {archived && (
        <Alert color="gray" variant="light">
          {i18n.t("customer.isArchived")}
        </Alert>
      )}
      <CustomerForm
        key={`${customer.id}@${customer.version}`}
        mode="edit"
        readOnly={!writable}
        initialValues={initial}
        onCancel={() => navigate("/customers")}
        renderError={(error) =>
          isConflict(error) ? <Conflict onReload={() => reloadLatest(error)} reloading={reloading} /> : undefined
        }
        onSubmit={async (values) => {
          const body = updateBody(initial, values);
          if (Object.keys(body).length === 0) {
            notify(i18n, i18n.t("product.nothingChanged"), "blue");
            return;
          }
          await update.mutateAsync({ body, version: customer.version });
          notify(i18n, i18n.t("product.saved"));
          navigate("/customers");
        }}
      />
    </>
  );
}
