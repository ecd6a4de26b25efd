import { Alert, Button, Stack, Title } from "@mantine/core";
import { useNavigate, useParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { useMe } from "../auth/hooks";
import { can } from "../auth/permissions";
import type { ApiError } from "../api/problem";
import { QueryStatus } from "../components/QueryStatus";
import { CommandError, conflictBanner, useReloadLatest } from "../components/ConflictAlert";
import { ArchiveStatusBadge } from "../components/StatusBadge";
import { RecordHeader } from "../components/RecordHeader";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useCreateCustomer, useCustomer, useCustomerLifecycle, useUpdateCustomer, type CustomerRow } from "./api";
import { CustomerForm } from "./CustomerForm";
import { EMPTY_CUSTOMER, createBody, updateBody, valuesFromCustomer } from "./model";

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
          navigate(`/customers/${result.id}`, { replace: true });
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
  const me = useMe();
  const update = useUpdateCustomer(customer.id);
  const lifecycle = useCustomerLifecycle(customer.id);
  const writable = can(me.data?.permissions, "catalogue:write");
  const archived = customer.status === "archived";
  const title = i18n.t("customer.editTitle", { code: customer.code });
  useDocumentTitle(title);
  const initial = valuesFromCustomer(customer, i18n.lang);
  const reloadAt = useReloadLatest("customer", customer.id, reload);
  const reloadLatest = (error: ApiError) => {
    lifecycle.reset();
    reloadAt(error);
  };

  return (
    <>
      <RecordHeader
        title={title}
        status={<ArchiveStatusBadge status={customer.status} />}
        version={customer.version}
        updatedAt={customer.updated_at}
        actions={
          writable && (
            <>
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
            </>
          )
        }
      />
      {lifecycle.error && (
        <CommandError
          error={lifecycle.error}
          conflict={i18n.t("customer.conflict")}
          onReload={reloadLatest}
          reloading={reloading}
        />
      )}
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
        renderError={conflictBanner(i18n.t("customer.conflict"), reloadLatest, reloading)}
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
