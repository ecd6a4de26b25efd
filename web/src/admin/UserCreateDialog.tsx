import { Modal, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useI18n } from "../i18n/useI18n";
import { FormActions, FormErrorAlert, useServerForm } from "../components/ServerForm";
import { notify } from "../lib/notify";
import type { Role } from "../api/types";
import { useCreateUser } from "./api";
import { RolesField } from "./RolesField";

const FIELDS = ["email", "display_name", "roles", "password"] as const;

interface Values {
  email: string;
  display_name: string;
  roles: Role[];
  password: string;
}

/** A dialog (focus kept inside, returned on close) to open an account. */
export function UserCreateDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const i18n = useI18n();
  const create = useCreateUser();
  const required = i18n.t("form.required");
  const form = useForm<Values>({
    initialValues: { email: "", display_name: "", roles: [], password: "" },
    validate: {
      email: (v) => (v.trim() ? null : required),
      display_name: (v) => (v.trim() ? null : required),
      password: (v) => (v ? null : required),
    },
  });
  const server = useServerForm(form, FIELDS);
  const close = () => {
    form.reset();
    server.clear();
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={i18n.t("user.createTitle")}
      closeButtonProps={{ "aria-label": i18n.t("app.close") }}
      size="lg"
    >
      <form
        ref={server.ref}
        noValidate
        onSubmit={server.onSubmit(async (values) => {
          await create.mutateAsync(values);
          notify(i18n, i18n.t("user.created", { email: values.email }));
          close();
        })}
      >
        <Stack>
          <FormErrorAlert form={server} />
          <TextInput
            label={i18n.t("user.email")}
            type="email"
            autoComplete="off"
            required
            {...form.getInputProps("email")}
          />
          <TextInput
            label={i18n.t("user.displayName")}
            autoComplete="off"
            required
            {...form.getInputProps("display_name")}
          />
          <RolesField
            value={form.values.roles}
            onChange={(roles) => form.setFieldValue("roles", roles)}
            error={form.errors.roles as string | undefined}
          />
          <PasswordInput
            label={i18n.t("user.password")}
            description={i18n.t("user.passwordHint")}
            autoComplete="new-password"
            required
            visibilityToggleButtonProps={{ "aria-label": i18n.t("password.show") }}
            {...form.getInputProps("password")}
            // PasswordInput marks an error with data-invalid only.
            aria-invalid={form.errors.password ? true : undefined}
          />
          <FormActions submitLabel={i18n.t("user.create")} busy={server.busy} onCancel={close} end />
        </Stack>
      </form>
    </Modal>
  );
}
