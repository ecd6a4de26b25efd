import { Checkbox, Group } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import type { Role } from "../api/types";

export const ROLES: readonly Role[] = ["admin", "sales", "warehouse", "analyst"];

/** The roles of an account as labelled checkboxes (a fieldset with its legend). */
export function RolesField({
  value,
  onChange,
  error,
}: {
  value: Role[];
  onChange: (roles: Role[]) => void;
  error?: string | undefined;
}) {
  const i18n = useI18n();
  return (
    <Checkbox.Group
      label={i18n.t("user.roles")}
      value={value}
      onChange={(v) => onChange(ROLES.filter((r) => v.includes(r)))}
      error={error}
    >
      <Group mt="xs">
        {ROLES.map((role) => (
          <Checkbox key={role} value={role} label={i18n.t(`role.${role}`)} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}
