import { Alert, Button, Paper, PasswordInput, Stack, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { useServices } from "../ServicesContext";
import { useI18n } from "../i18n/useI18n";
import { isApiError, unwrap } from "../api/problem";
import { ConflictAlert, isConflict } from "../components/ConflictAlert";
import { FormErrorAlert, useServerForm } from "../components/ServerForm";
import { meKey, useMe, useSession } from "./hooks";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";

interface PasswordValues {
  current: string;
  next: string;
  confirm: string;
}

const API_FIELDS = { current_password: "current", new_password: "next" };

/**
 * The account changed while the password was being changed (an admin reset it, changed
 * its roles or disabled it at the same moment): a 409 `concurrent_modification`, or a 412.
 */
function isConcurrentChange(error: unknown): boolean {
  return isConflict(error) || isApiError(error, "concurrent_modification");
}

export function ChangePasswordPage() {
  const { api, session } = useServices();
  const state = useSession();
  const me = useMe();
  const i18n = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useDocumentTitle(i18n.t("password.title"));
  const forced = state.status === "signed_in" && state.user.must_change_password;
  const form = useForm<PasswordValues>({
    initialValues: { current: "", next: "", confirm: "" },
    validate: {
      current: (v) => (v ? null : i18n.t("form.required")),
      next: (v) => (v ? null : i18n.t("form.required")),
      confirm: (v, values) => (v === values.next ? null : i18n.t("password.mismatch")),
    },
  });
  const server = useServerForm(form, ["current", "next"], {
    fieldNames: API_FIELDS,
    adjust: (e, problem) => {
      if (isApiError(e, "wrong_current_password")) problem.fields.current ??= i18n.error(e);
    },
  });

  /** Reads the account again (its state after the other change), then lets the person send again. */
  const reload = async () => {
    await queryClient.invalidateQueries({ queryKey: meKey });
    server.clear();
  };

  const send = async (values: PasswordValues) => {
    const { data } = await unwrap(
      api.command.POST("/auth/password", {
        body: { current_password: values.current, new_password: values.next },
      }),
    );
    session.passwordChanged(data);
    await queryClient.invalidateQueries({ queryKey: meKey });
    notify(i18n, i18n.t("password.done"));
    navigate("/", { replace: true });
  };

  return (
    <Paper withBorder p="xl" maw={460}>
      <form ref={server.ref} onSubmit={server.onSubmit(send)} noValidate>
        <Stack>
          <Title order={1} size="h2">
            {i18n.t("password.title")}
          </Title>
          {forced && (
            <Alert color="yellow" variant="light" role="status">
              {i18n.t("password.forced")}
            </Alert>
          )}
          <FormErrorAlert
            form={server}
            render={(error) =>
              isConcurrentChange(error) ? (
                <ConflictAlert
                  message={i18n.t("password.conflict")}
                  help={i18n.t("password.conflictHelp")}
                  onReload={() => void reload()}
                  reloading={me.isFetching}
                />
              ) : undefined
            }
          />
          {/* For password managers: whose password this is. */}
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={state.status === "signed_in" ? state.user.email : ""}
            readOnly
            hidden
          />
          <PasswordInput
            label={i18n.t("password.current")}
            autoComplete="current-password"
            required
            visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
            {...form.getInputProps("current")}
            // PasswordInput marks an error with data-invalid only: screen readers and the
            // focus on the first invalid field need aria-invalid.
            aria-invalid={form.errors.current ? true : undefined}
          />
          <PasswordInput
            label={i18n.t("password.new")}
            description={i18n.t("password.hint")}
            autoComplete="new-password"
            required
            visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
            {...form.getInputProps("next")}
            aria-invalid={form.errors.next ? true : undefined}
          />
          <PasswordInput
            label={i18n.t("password.confirm")}
            autoComplete="new-password"
            required
            visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
            {...form.getInputProps("confirm")}
            aria-invalid={form.errors.confirm ? true : undefined}
          />
          <Button type="submit" loading={server.busy}>
            {i18n.t("password.submit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
