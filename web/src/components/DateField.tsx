// A day typed or picked in the app's language (dd/mm/yyyy, a French or English calendar),
// not the browser's: Mantine's DateInput with dayjs's locale. Its value is the API's
// YYYY-MM-DD. Loaded with the pages that use it (orders, dashboard), not in the shell.
import { useState } from "react";
import { DateInput, DatesProvider } from "@mantine/dates";
import "@mantine/dates/styles.css";
import "dayjs/locale/fr";
import { useI18n } from "../i18n/useI18n";
import { DATE_INPUT_FORMAT, datePlaceholder, parseDateInput } from "../lib/dateInput";
import classes from "./DateField.module.css";

export interface DateFieldProps {
  label: string;
  /** YYYY-MM-DD, or "" / null for none. */
  value: string | null;
  onChange: (value: string | null) => void;
  /** A server's or form's message; a day that cannot be read gets its own. */
  error?: string | null;
  description?: string;
  w?: number | string;
  required?: boolean;
  name?: string;
  /** Told whether the text left in the field is a day it cannot read (the value is then not changed). */
  onUnreadable?: (unreadable: boolean) => void;
}

export function DateField({ label, value, onChange, error, description, w, required, name, onUnreadable }: DateFieldProps) {
  const i18n = useI18n();
  const [unreadable, setUnreadableState] = useState(false);
  const setUnreadable = (next: boolean) => {
    setUnreadableState(next);
    onUnreadable?.(next);
  };
  return (
    <DatesProvider settings={{ locale: i18n.lang, firstDayOfWeek: 1, weekendDays: [0, 6] }}>
      <DateInput
        label={label}
        name={name}
        description={description}
        required={required}
        w={w}
        value={value || null}
        onChange={(v) => {
          setUnreadable(false);
          onChange(v);
        }}
        onInput={(e) => {
          // Told at once (a form submitted with Enter must not send the previous day);
          // shown when the person leaves the field.
          const text = e.currentTarget.value.trim();
          onUnreadable?.(text !== "" && parseDateInput(text) === null);
        }}
        onBlur={(e) => {
          const text = e.currentTarget.value.trim();
          setUnreadable(text !== "" && parseDateInput(text) === null);
        }}
        valueFormat={DATE_INPUT_FORMAT}
        dateParser={parseDateInput}
        // An unreadable day stays as typed, with the message saying why, rather than
        // silently going back to the previous one.
        fixOnBlur={false}
        // Days of the months around are not shown: dimmed, they would be unreadable (and
        // still clickable); weekends keep a readable red.
        hideOutsideDates
        classNames={{ day: classes.day }}
        // The calendar stays inside the page's landmarks (main), next to its field.
        popoverProps={{ withinPortal: false }}
        placeholder={datePlaceholder(i18n.lang)}
        autoComplete="off"
        clearable
        clearButtonProps={{ "aria-label": i18n.t("date.clear", { label }) }}
        error={error || (unreadable ? i18n.t("date.invalid", { format: datePlaceholder(i18n.lang) }) : undefined)}
        previousLabel={i18n.t("date.previousMonth")}
        nextLabel={i18n.t("date.nextMonth")}
        // The header's month and year buttons keep their visible text ("janvier 2027") as name.
        ariaLabels={{
          previousMonth: i18n.t("date.previousMonth"),
          nextMonth: i18n.t("date.nextMonth"),
          previousYear: i18n.t("date.previousYear"),
          nextYear: i18n.t("date.nextYear"),
          previousDecade: i18n.t("date.previousDecade"),
          nextDecade: i18n.t("date.nextDecade"),
        }}
      />
    </DatesProvider>
  );
}
