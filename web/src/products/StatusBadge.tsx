import { Badge } from "@mantine/core";
import type { ProductStatus } from "../api/types";
import { useI18n } from "../i18n/useI18n";

// Mantine's light badges put mid-tone text on a tint (under 4.5:1): dark text on a tint here.
const STYLE: Record<ProductStatus, { color: string; backgroundColor: string }> = {
  active: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-green-1)" },
  archived: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-gray-2)" },
};

/** Active or archived. */
export function StatusBadge({ status }: { status: ProductStatus }) {
  const i18n = useI18n();
  return (
    <Badge variant="light" styles={{ root: STYLE[status] }}>
      {i18n.t(status === "active" ? "products.status.active" : "products.status.archived")}
    </Badge>
  );
}
