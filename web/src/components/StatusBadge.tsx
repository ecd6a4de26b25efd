import type { ReactNode } from "react";
import { Badge } from "@mantine/core";
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
