// Quantities with their unit, agreed in number by the language's plural rules
// (Intl.PluralRules): "1 pièce", "3 pièces", "1,5 kg"; "1 piece", "3 pieces", "1.5 kg".
// Measurement units are written as their symbols, which never take a plural; counted ones
// (pieces, boxes, hours…) as words. French counts 0 and 1,5 as singular, English only 1.
import type { Unit } from "../api/types";
import type { Lang } from "../i18n/messages";
import { formatNumber } from "../i18n/format";

export type Forms<T = string> = { one: T; other: T };

const LOCALES: Record<Lang, string> = { fr: "fr-FR", en: "en-GB" };

const symbol = (s: string): Forms => ({ one: s, other: s });

const UNIT_FORMS: Record<Lang, Record<Unit, Forms>> = {
  fr: {
    piece: { one: "pièce", other: "pièces" },
    kg: symbol("kg"),
    g: symbol("g"),
    m: symbol("m"),
    m2: symbol("m²"),
    m3: symbol("m³"),
    l: symbol("l"),
    hour: { one: "heure", other: "heures" },
    day: { one: "jour", other: "jours" },
    box: { one: "boîte", other: "boîtes" },
    pack: { one: "lot", other: "lots" },
  },
  en: {
    piece: { one: "piece", other: "pieces" },
    kg: symbol("kg"),
    g: symbol("g"),
    m: symbol("m"),
    m2: symbol("m²"),
    m3: symbol("m³"),
    l: symbol("l"),
    hour: { one: "hour", other: "hours" },
    day: { one: "day", other: "days" },
    box: { one: "box", other: "boxes" },
    pack: { one: "pack", other: "packs" },
  },
};

const rules = new Map<string, Intl.PluralRules>();

/**
 * The plural form for a quantity as it is displayed (up to 3 decimals, like formatNumber):
 * "one" or "other" ("many", French for millions, takes the "other" form here).
 */
export function pluralForm(value: string | number, lang: Lang): "one" | "other" {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return "other";
  let r = rules.get(lang);
  if (!r) {
    r = new Intl.PluralRules(LOCALES[lang], { maximumFractionDigits: 3 });
    rules.set(lang, r);
  }
  return r.select(n) === "one" ? "one" : "other";
}

/**
 * The form that agrees with a count: plural(3, "fr", {one: "ligne", other: "lignes"}) →
 * "lignes"; also for message keys: plural(n, lang, {one: "x.one", other: "x.other"}).
 */
export function plural<T>(value: string | number, lang: Lang, forms: Forms<T>): T {
  return forms[pluralForm(value, lang)];
}

/** The unit's name agreed with the quantity: unitLabel("piece", "3", "fr") → "pièces". */
export function unitLabel(unit: Unit, value: string | number, lang: Lang): string {
  return plural(value, lang, UNIT_FORMS[lang][unit]);
}

/**
 * A quantity and its unit, joined by a non-breaking space so they never wrap apart:
 * formatQuantity("3", "piece", "fr") → "3 pièces"; ("1234.5", "kg", "fr") → "1 234,5 kg".
 */
export function formatQuantity(value: string | number, unit: Unit, lang: Lang): string {
  return `${formatNumber(value, lang)}\u00a0${unitLabel(unit, value, lang)}`;
}

/** A count with a text of two forms: formatCount(3, "fr", {one: "ligne", other: "lignes"}) → "3 lignes". */
export function formatCount(value: string | number, lang: Lang, forms: Forms): string {
  return `${formatNumber(value, lang)}\u00a0${plural(value, lang, forms)}`;
}
