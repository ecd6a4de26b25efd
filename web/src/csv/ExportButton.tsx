import { useState } from "react";
import { Button } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import { saveBlob } from "../lib/download";
import { notifications } from "@mantine/notifications";

/** Fetches a file with the token (`load`), then saves it as `name`. */
export function DownloadButton({
  load,
  name,
  label,
  variant = "default",
}: {
  load: () => Promise<Blob>;
  name: string;
  label: string;
  variant?: "default" | "filled" | "light";
}) {
  const i18n = useI18n();
  const [busy, setBusy] = useState(false);
  const click = async () => {
    setBusy(true);
    try {
      saveBlob(await load(), name);
    } catch (error) {
      notifications.show({
        color: "red",
        message: i18n.error(error),
        closeButtonProps: { "aria-label": i18n.t("app.close") },
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant={variant} onClick={() => void click()} loading={busy}>
      {label}
    </Button>
  );
}
