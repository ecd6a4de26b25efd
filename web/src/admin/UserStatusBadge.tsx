import type { UserStatus } from "../api/types";
import { useI18n } from "../i18n/useI18n";
import { StatusBadge } from "../components/StatusBadge";

/** Active or disabled. */
export function UserStatusBadge({ status }: { status: UserStatus }) {
  const i18n = useI18n();
  return <StatusBadge tone={status === "active" ? "on" : "off"}>{i18n.t(`users.status.${status}`)}</StatusBadge>;
}
