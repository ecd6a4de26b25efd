import { Badge } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import type { InvoiceStatus } from "./model";

// Dark text on a light tint (4.5:1 and more), as the other status badges.
const TINT: Record<InvoiceStatus, string> = {
  issued: "blue-1",
  partly_paid: "yellow-2",
  paid: "green-1",
  credited: "gray-2",
  overdue: "red-2",
};

export function InvoiceStatusBadge({ status }: { status: InvoiceStatus }) {
  const i18n = useI18n();
  return (
    <Badge
      variant="light"
      data-testid="invoice-status"
      styles={{ root: { color: "var(--mantine-color-gray-9)", backgroundColor: `var(--mantine-color-${TINT[status]})` } }}
    >
      {i18n.t(`invoice.status.${status}`)}
    </Badge>
  );
}
