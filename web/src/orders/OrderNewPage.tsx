import { useState } from "react";
import { Button, Group, Stack, Text, Title } from "@mantine/core";
import { useNavigate, useSearchParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { ErrorAlert } from "../components/ErrorAlert";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { notify } from "../lib/notify";
import { useCreateOrder } from "./api";
import { CustomerPicker } from "../components/CustomerPicker";

/** A draft order for a customer (chosen here or passed as ?customer=). */
export function OrderNewPage() {
  const i18n = useI18n();
  const navigate = useNavigate();
  useDocumentTitle(i18n.t("orders.new"));
  const [search] = useSearchParams();
  const [customer, setCustomer] = useState<string | null>(search.get("customer"));
  const create = useCreateOrder();
  return (
    <Stack maw={640}>
      <Title order={1}>{i18n.t("orders.new")}</Title>
      <Text size="sm">{i18n.t("orders.newHelp")}</Text>
      {create.error && <ErrorAlert error={create.error} />}
      <CustomerPicker label={i18n.t("order.customer")} value={customer} onChange={setCustomer} required />
      <Group>
        <Button
          disabled={!customer}
          loading={create.isPending}
          onClick={() =>
            create.mutate(customer, {
              onSuccess: (r) => {
                notify(i18n, i18n.t("orders.created", { number: r.number }));
                // The creation form leaves the history: Back must not offer to create it again.
                navigate(`/orders/${r.id}`, { replace: true });
              },
            })
          }
        >
          {i18n.t("orders.createDraft")}
        </Button>
        <Button variant="default" onClick={() => navigate("/orders")}>
          {i18n.t("product.cancel")}
        </Button>
      </Group>
    </Stack>
  );
}
