import { notifications } from "@mantine/notifications";
import type { I18n } from "../i18n/I18nProvider";

/**
 * A short message at the bottom of the screen, with a labelled close button. Confirmations
 * go away on their own after a few seconds (App's <Notifications/> sets how long and how
 * many stack); an error stays a little longer, as it has more to read.
 */
export function notify(i18n: I18n, message: string, color: "green" | "blue" | "red" = "green"): void {
  notifications.show({
    color,
    message,
    withBorder: true,
    ...(color === "red" ? { autoClose: 6000 } : {}),
    closeButtonProps: { "aria-label": i18n.t("app.close") },
  });
}
