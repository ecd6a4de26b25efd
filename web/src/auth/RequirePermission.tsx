import type { ReactNode } from "react";
import { Alert, Stack, Title } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import { QueryStatus } from "../components/QueryStatus";
import { useMe } from "./hooks";
import { can, type Permission } from "./permissions";

/** A page only some roles may open: others see why (the menu does not offer it to them). */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const me = useMe();
  const i18n = useI18n();
  if (!me.data) return <QueryStatus query={me} />;
  if (!can(me.data.permissions, permission)) {
    return (
      <Stack>
        <Title order={1}>{i18n.t("app.forbiddenTitle")}</Title>
        <Alert color="red" role="alert">
          {i18n.t("app.forbidden")}
        </Alert>
      </Stack>
    );
  }
  return <>{children}</>;
}
