import { Badge } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import type { OrderStatus } from "./api";

const TINT: Record<OrderStatus, string> = {
  draft: "gray-2",
  submitting: "yellow-1",
  submitted: "blue-1",
  fulfilled: "green-1",
  cancelled: "red-1",
};

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const i18n = useI18n();
  return (
    <Badge
      variant="light"
      data-testid="order-status"
      styles={{ root: { color: "var(--mantine-color-gray-9)", backgroundColor: `var(--mantine-color-${TINT[status]})` } }}
    >
      {i18n.t(`order.status.${status}`)}
    </Badge>
  );
}
