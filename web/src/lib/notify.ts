import { notifications } from "@mantine/notifications";
import type { I18n } from "../i18n/I18nProvider";

/** A short confirmation in the corner, with a labelled close button. */
export function notify(i18n: I18n, message: string, color: "green" | "blue" = "green"): void {
  notifications.show({
    color,
    message,
    closeButtonProps: { "aria-label": i18n.t("app.close") },
  });
}
