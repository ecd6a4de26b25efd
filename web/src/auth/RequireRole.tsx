import type { ReactNode } from "react";
import { Alert, Stack, Title } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import { QueryStatus } from "../components/QueryStatus";
import { useMe } from "./hooks";
import type { Role } from "../api/types";

/** A page for some roles (the dashboard: admin and analyst), which no permission names. */
export function RequireRole({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const me = useMe();
  const i18n = useI18n();
  if (!me.data) return <QueryStatus query={me} />;
  if (!me.data.roles.some((r) => roles.includes(r))) {
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
