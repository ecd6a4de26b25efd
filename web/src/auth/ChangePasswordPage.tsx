import { useRef, useState } from "react";
import { Alert, Button, Paper, PasswordInput, Stack, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { useServices } from "../ServicesContext";
import { useI18n } from "../i18n/useI18n";
import { isApiError, unwrap } from "../api/problem";
import { ErrorAlert } from "../components/ErrorAlert";
import { formProblem } from "../lib/formErrors";
import { useFocusFirstInvalid } from "../lib/focus";
import type { FieldError } from "../api/types";
import { meKey, useSession } from "./hooks";
import { notify } from "../lib/notify";
import { useDocumentTitle } from "../lib/useDocumentTitle";

interface PasswordValues {
  current: string;
  next: string;
  confirm: string;
}

const API_FIELDS = { current_password: "current", new_password: "next" };

export function ChangePasswordPage() {
  const { api, session } = useServices();
  const state = useSession();
  const i18n = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(ref);
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

  const submit = async (values: PasswordValues) => {
    setBusy(true);
    setError(null);
    setUnmatched([]);
    try {
      const { data } = await unwrap(
        api.command.POST("/auth/password", {
          body: { current_password: values.current, new_password: values.next },
        }),
      );
      session.passwordChanged(data);
      await queryClient.invalidateQueries({ queryKey: meKey });
      notify(i18n, i18n.t("password.done"));
      navigate("/", { replace: true });
    } catch (e) {
      const problem = formProblem(e, ["current", "next"], i18n.field, API_FIELDS);
      if (isApiError(e, "wrong_current_password")) {
        problem.fields.current ??= i18n.error(e);
      }
      form.setErrors(problem.fields);
      setUnmatched(problem.unmatched);
      setError(e);
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="xl" maw={460}>
      <form ref={ref} onSubmit={form.onSubmit(submit, () => focusFirstInvalid())} noValidate>
        <Stack>
          <Title order={1} size="h2">
            {i18n.t("password.title")}
          </Title>
          {forced && (
            <Alert color="yellow" variant="light" role="status">
              {i18n.t("password.forced")}
            </Alert>
          )}
          {error !== null && <ErrorAlert error={error} extra={unmatched} />}
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
          />
          <PasswordInput
            label={i18n.t("password.new")}
            description={i18n.t("password.hint")}
            autoComplete="new-password"
            required
            visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
            {...form.getInputProps("next")}
          />
          <PasswordInput
            label={i18n.t("password.confirm")}
            autoComplete="new-password"
            required
            visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
            {...form.getInputProps("confirm")}
          />
          <Button type="submit" loading={busy}>
            {i18n.t("password.submit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
