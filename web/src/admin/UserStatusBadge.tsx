import { Badge } from "@mantine/core";
import type { UserStatus } from "../api/types";
import { useI18n } from "../i18n/useI18n";

// Dark text on a tint: Mantine's filled and light badges fall under 4.5:1 at this size.
const STYLE: Record<UserStatus, { color: string; backgroundColor: string }> = {
  active: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-green-1)" },
  disabled: { color: "var(--mantine-color-gray-9)", backgroundColor: "var(--mantine-color-gray-2)" },
};

/** Active or disabled. */
export function UserStatusBadge({ status }: { status: UserStatus }) {
  const i18n = useI18n();
  return (
    <Badge variant="light" styles={{ root: STYLE[status] }}>
      {i18n.t(`users.status.${status}`)}
    </Badge>
  );
}
