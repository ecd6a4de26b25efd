import type { ReactNode } from "react";
import { Badge, Select } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";

// Mantine's light badges put mid-tone text on a tint (under 4.5:1): dark text on a tint here.
const STYLE = {
  on: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-green-1)" },
  off: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-gray-2)" },
} as const;

/** A state as a badge: green for the usable one (active), grey for the other. */
export function StatusBadge({ tone, children }: { tone: keyof typeof STYLE; children: ReactNode }) {
  return (
    <Badge variant="light" styles={{ root: STYLE[tone] }}>
      {children}
    </Badge>
  );
}

/** Active or archived (products, customers). */
export function ArchiveStatusBadge({ status }: { status: "active" | "archived" }) {
  const i18n = useI18n();
  return (
    <StatusBadge tone={status === "active" ? "on" : "off"}>
      {i18n.t(status === "active" ? "status.active" : "status.archived")}
    </StatusBadge>
  );
}

/** The list filter on that state: all, active (the usual view) or archived. */
export function ArchiveStatusSelect({
  value,
  onChange,
}: {
  value: "active" | "archived" | null;
  onChange: (status: "active" | "archived" | null) => void;
}) {
  const i18n = useI18n();
  return (
    <Select
      label={i18n.t("products.status")}
      value={value ?? "all"}
      onChange={(v) => onChange(v === "active" || v === "archived" ? v : null)}
      data={[
        { value: "all", label: i18n.t("products.status.all") },
        { value: "active", label: i18n.t("status.active") },
        { value: "archived", label: i18n.t("status.archived") },
      ]}
      allowDeselect={false}
      w={150}
    />
  );
}
