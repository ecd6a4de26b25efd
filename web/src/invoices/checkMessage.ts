import type { I18n } from "../i18n/I18nProvider";
import { datePlaceholder } from "../lib/dateInput";
import type { Check } from "./model";

/**
 * The message of a form check, with what it needs: the balance (`over_balance`), what a
 * line has left, already formatted (`over_left`), the most decimals (`too_precise`) or
 * characters (`too_long`) allowed.
 */
export function checkMessage(
  i18n: I18n,
  check: Check,
  { balance = "", left = "", max = 0 }: { balance?: string; left?: string; max?: number } = {},
): string {
  switch (check) {
    case "over_balance":
      return i18n.t("invoice.check.over_balance", { balance: i18n.money(balance) });
    case "over_left":
      return i18n.t("invoice.check.over_left", { left });
    case "too_precise":
    case "too_long":
      return i18n.t(`invoice.check.${check}`, { max: i18n.number(max) });
    case "unreadable_date":
      return i18n.t("invoice.check.unreadable_date", { format: datePlaceholder(i18n.lang) });
    default:
      return i18n.t(`invoice.check.${check}`);
  }
}
