import { useEffect, useState } from "react";
import { Anchor, Button, Card, Group, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { UserStatusBadge } from "./UserStatusBadge";
import { QueryStatus } from "../components/QueryStatus";
import { CommandError, useReloadLatest } from "../components/ConflictAlert";
import { RecordHeader } from "../components/RecordHeader";
import { formProblem } from "../lib/formErrors";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import type { Role, UserRow } from "../api/types";
import { useUser, useUserCommand, type UserAction } from "./api";
import { RolesField } from "./RolesField";

export function UserPage() {
  const { id = "" } = useParams();
  const i18n = useI18n();
  const user = useUser(id);
  useDocumentTitle(user.data?.display_name ?? i18n.t("users.title"));
  return (
    <Stack>
      <Anchor component={Link} to="/admin/users">
        {i18n.t("user.back")}
      </Anchor>
      {user.data ? (
        <UserDetail user={user.data} reload={user.refetch} reloading={user.isFetching} />
      ) : (
        <QueryStatus query={user} />
      )}
    </Stack>
  );
}

function UserDetail({
  user,
  reload,
  reloading,
}: {
  user: UserRow;
  reload: () => Promise<unknown>;
  reloading: boolean;
}) {
  const i18n = useI18n();
  const command = useUserCommand(user.id);
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  useEffect(() => setRoles(user.roles), [user.roles]);
  const reloadAt = useReloadLatest("user", user.id, reload);

  const run = async (action: UserAction, done: string) => {
    setError(null);
    setFieldErrors({});
    try {
      await command.mutateAsync({ action, version: user.version });
      notify(i18n, done);
      if (action.kind === "reset") setPassword("");
    } catch (e) {
      setFieldErrors(formProblem(e, ["roles", "new_password"], i18n.field).fields);
      setError(e);
    }
  };

  return (
    <Stack>
      <RecordHeader
        title={user.display_name}
        status={<UserStatusBadge status={user.status} />}
        version={user.version}
        updatedAt={user.updated_at}
      />
      <Text>{user.email}</Text>
      {error !== null && (
        <CommandError
          error={error}
          conflict={i18n.t("user.conflict")}
          onReload={(e) => {
            setError(null);
            reloadAt(e);
          }}
          reloading={reloading}
        />
      )}
      <Card withBorder component="section" aria-labelledby="roles-title">
        <Stack>
          <Title order={2} size="h4" id="roles-title">
            {i18n.t("user.roles")}
          </Title>
          <RolesField value={roles} onChange={setRoles} error={fieldErrors.roles} />
          <Group>
            <Button
              loading={command.isPending}
              onClick={() => void run({ kind: "roles", roles }, i18n.t("user.rolesSaved"))}
            >
              {i18n.t("user.rolesSave")}
            </Button>
          </Group>
        </Stack>
      </Card>
      <Card withBorder component="section" aria-labelledby="status-title">
        <Stack>
          <Title order={2} size="h4" id="status-title">
            {i18n.t("user.lifecycle")}
          </Title>
          <Group>
            {user.status === "active" ? (
              <Button
                color="red.9"
                variant="outline"
                onClick={() => void run({ kind: "disable" }, i18n.t("user.disabled"))}
              >
                {i18n.t("user.disable")}
              </Button>
            ) : (
              <Button onClick={() => void run({ kind: "enable" }, i18n.t("user.enabled"))}>
                {i18n.t("user.enable")}
              </Button>
            )}
          </Group>
        </Stack>
      </Card>
      <Card withBorder component="section" aria-labelledby="reset-title">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run({ kind: "reset", password }, i18n.t("user.resetDone"));
          }}
        >
          <Stack>
            <Title order={2} size="h4" id="reset-title">
              {i18n.t("user.reset")}
            </Title>
            <PasswordInput
              label={i18n.t("user.resetPassword")}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldErrors.new_password}
              aria-invalid={fieldErrors.new_password ? true : undefined}
              visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
            />
            <Group>
              <Button type="submit" variant="default" disabled={!password}>
                {i18n.t("user.reset")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}
