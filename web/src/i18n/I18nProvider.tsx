import { createContext, useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { LANGS, MESSAGES, interpolate, type Lang, type MessageKey } from "./messages";
import * as format from "./format";
import { fieldMessage, problemMessage } from "./errors";

export interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  money: (value: string) => string;
  number: (value: string | number) => string;
  percent: (value: string) => string;
  date: (value: string) => string;
  dateTime: (value: string) => string;
  /** The translated message of any error thrown by an API call. */
  error: (error: unknown) => string;
  field: (code: string, serverMessage: string) => string;
}

export const I18nContext = createContext<I18n | null>(null);

const STORAGE_KEY = "gescom.lang";

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && (LANGS as readonly string[]).includes(stored)) return stored as Lang;
  } catch {
    // storage unavailable (private mode): French
  }
  return "fr";
}

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => fixed ?? initialLang());

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not kept across visits; fine
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, params) => interpolate(MESSAGES[lang][key], params),
      money: (v) => format.formatMoney(v, lang),
      number: (v) => format.formatNumber(v, lang),
      percent: (v) => format.formatPercent(v, lang),
      date: (v) => format.formatDate(v, lang),
      dateTime: (v) => format.formatDateTime(v, lang),
      error: (e) => problemMessage(e, lang),
      field: (code, message) => fieldMessage(code, message, lang),
    }),
    [lang, setLang],
  );

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
