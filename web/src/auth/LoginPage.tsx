import { useState } from "react";
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { Navigate, useLocation, useNavigate } from "react-router";
import { useServices } from "../ServicesContext";
import { useI18n } from "../i18n/useI18n";
import { ErrorAlert } from "../components/ErrorAlert";
import { LanguageSwitch } from "../layout/LanguageSwitch";
import { useSession } from "./hooks";
import { useDocumentTitle } from "../lib/useDocumentTitle";

interface LoginValues {
  email: string;
  password: string;
}

export function LoginPage() {
  const { session } = useServices();
  const state = useSession();
  const i18n = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useDocumentTitle(i18n.t("login.title"));
  const form = useForm<LoginValues>({
    initialValues: { email: "", password: "" },
    validate: {
      email: (v) => (v.trim() ? null : i18n.t("form.required")),
      password: (v) => (v ? null : i18n.t("form.required")),
    },
  });

  if (state.status === "signed_in" && !busy) {
    return <Navigate to={state.user.must_change_password ? "/password" : (from ?? "/")} replace />;
  }

  const submit = async (values: LoginValues) => {
    setBusy(true);
    setError(null);
    try {
      const user = await session.login(values.email.trim(), values.password);
      navigate(user.must_change_password ? "/password" : (from ?? "/"), { replace: true });
    } catch (e) {
      setError(e);
      form.setFieldValue("password", "");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main" id="main">
      <Paper withBorder shadow="sm" p="xl" w={380} maw="100%">
        <form onSubmit={form.onSubmit(submit)} noValidate>
          <Stack>
            <Title order={1} size="h2">
              {i18n.t("app.name")} · {i18n.t("login.title")}
            </Title>
            {state.status === "signed_out" && state.reason === "expired" && !error && (
              <Alert color="yellow" role="status" variant="light">
                {i18n.t("login.expired")}
              </Alert>
            )}
            {error !== null && <ErrorAlert error={error} />}
            <TextInput
              label={i18n.t("login.email")}
              type="email"
              autoComplete="username"
              required
              autoFocus
              {...form.getInputProps("email")}
            />
            <PasswordInput
              label={i18n.t("login.password")}
              autoComplete="current-password"
              required
              visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
              {...form.getInputProps("password")}
            />
            <Button type="submit" loading={busy}>
              {i18n.t("login.submit")}
            </Button>
            <LanguageSwitch />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
