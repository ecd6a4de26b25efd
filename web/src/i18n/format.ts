// French (or English) formats for numbers, money and dates, with Intl. Amounts arrive as
// decimal strings ("12.50"); they are formatted, never computed with.
import type { Lang } from "./messages";

const LOCALES: Record<Lang, string> = { fr: "fr-FR", en: "en-GB" };

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(lang: Lang, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${lang}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.NumberFormat | undefined;
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[lang], options);
    cache.set(key, format);
  }
  return format;
}
function dateFormat(lang: Lang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${lang}|${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: "Europe/Paris", ...options });
    cache.set(key, format);
  }
  return format;
}

function toNumber(value: string | number): number | null {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** "12.50" → "12,50 €" (fr) or "€12.50" (en). Unparseable input is shown as it came. */
export function formatMoney(value: string, lang: Lang): string {
  const n = toNumber(value);
  return n === null
    ? value
    : numberFormat(lang, { style: "currency", currency: "EUR" }).format(n);
}

/** "1234.5" → "1 234,5" (fr). Up to 3 decimals, as quantities have. */
export function formatNumber(value: string | number, lang: Lang): string {
  const n = toNumber(value);
  return n === null ? String(value) : numberFormat(lang, { maximumFractionDigits: 3 }).format(n);
}

/** A VAT rate in percent: "5.5" → "5,5 %" (fr). */
export function formatPercent(value: string, lang: Lang): string {
  const n = toNumber(value);
  return n === null
    ? value
    : numberFormat(lang, { style: "percent", maximumFractionDigits: 2 }).format(n / 100);
}

/** An RFC 3339 instant as a date and time in Paris: "03/12/2026 17:05" (fr). */
export function formatDateTime(value: string, lang: Lang): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : dateFormat(lang, { dateStyle: "short", timeStyle: "short" }).format(date);
}

/** A calendar day (YYYY-MM-DD) or an instant, as a date: "3 déc. 2026" (fr). */
export function formatDate(value: string, lang: Lang): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat(lang, { dateStyle: "medium" }).format(date);
}

/**
 * What a person typed as a decimal, as the API wants it: spaces (also non-breaking and
 * narrow ones) dropped, a decimal comma made a point. "1 234,50" → "1234.50". Returns
 * null when the result is not a plain decimal.
 */
export function parseDecimalInput(input: string): string | null {
  const compact = input.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
  return /^-?\d+(\.\d+)?$/.test(compact) ? compact : null;
}

/** The API's decimal string for an input field in the given language: "12.50" → "12,50". */
export function decimalForInput(value: string, lang: Lang): string {
  return lang === "fr" ? value.replace(".", ",") : value;
}
