// Calendar days as people type them, whatever the browser's locale: day first, as both of
// the app's languages write them (fr-FR and en-GB: 31/12/2026). The API speaks YYYY-MM-DD.
import type { Lang } from "../i18n/messages";

/** The format shown in the field (a dayjs pattern, for the calendar's dropdown). */
export const DATE_INPUT_FORMAT = "DD/MM/YYYY";

/** What to type, in the field's language. */
export function datePlaceholder(lang: Lang): string {
  return lang === "fr" ? "jj/mm/aaaa" : "dd/mm/yyyy";
}

/** A real day of the Gregorian calendar (no 31/04, 29/02 only in leap years). */
function isRealDay(year: number, month: number, day: number): boolean {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Is this an API day, YYYY-MM-DD, that exists? */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * What a person typed as a day, as the API wants it: "31/12/2026", "1/2/2027", "01.02.2027",
 * "1-2-2027" (day, month, four-digit year) or "2027-02-01" → YYYY-MM-DD. Null when it is
 * not a day that exists, or not complete yet (a two-digit year is read as still being typed).
 */
export function parseDateInput(input: string): string | null {
  const text = input.trim();
  const isoMatch = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (isoMatch) {
    const [year, month, day] = [Number(isoMatch[1]), Number(isoMatch[2]), Number(isoMatch[3])];
    return isRealDay(year, month, day) ? iso(year, month, day) : null;
  }
  const m = /^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$/.exec(text);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isRealDay(year, month, day) ? iso(year, month, day) : null;
}

/** An API day for the field: "2026-12-31" → "31/12/2026". Anything else comes back as it is. */
export function formatDateInput(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

/** Today in Paris (where the business runs) as YYYY-MM-DD, moved by `days` calendar days. */
export function parisDay(days = 0, now: Date = new Date()): string {
  // en-CA writes YYYY-MM-DD.
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  const [year = 1970, month = 1, day = 1] = today.split("-").map(Number);
  const moved = new Date(Date.UTC(year, month - 1, day + days));
  return iso(moved.getUTCFullYear(), moved.getUTCMonth() + 1, moved.getUTCDate());
}
