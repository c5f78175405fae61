import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, vi, type MessageKey } from './messages.ts';

/**
 * Vietnamese by default, English on request. The choice is kept in localStorage and in the
 * `dd_lang` cookie, which the provider's login pages read too, so signing in keeps the language.
 */
export type Lang = 'vi' | 'en';

const STORAGE_KEY = 'dd_lang';
const TABLES: Record<Lang, Record<MessageKey, string>> = { vi, en };
/** Dates and times are civil Vietnamese ones (UTC+7) whatever the device's zone. */
const TIME_ZONE = 'Asia/Ho_Chi_Minh';
/** 15/05/1990 in Vietnamese, 15 May 1990 in English. */
const DATE_PARTS: Record<Lang, Intl.DateTimeFormatOptions> = {
  vi: { day: '2-digit', month: '2-digit', year: 'numeric' },
  en: { day: 'numeric', month: 'long', year: 'numeric' },
};

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

let current: Lang = initialLang();

/** The language of the page now: the API client sends it as Accept-Language. */
export function currentLang(): Lang {
  return current;
}

function remember(lang: Lang): void {
  current = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.cookie = `${STORAGE_KEY}=${lang}; path=/; max-age=31536000; samesite=lax`;
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return TABLES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

interface I18n {
  lang: Lang;
  t: Translate;
  setLang(lang: Lang): void;
  /** 'YYYY-MM-DD' civil date → 15/05/1990 (vi) or 15 May 1990 (en). */
  date(civil: string): string;
  /** An instant, in Vietnam's time. */
  dateTime(iso: string): string;
}

const I18nContext = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(current);
  useEffect(() => remember(lang), [lang]);
  const setLang = useCallback((next: Lang) => setLangState(next), []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
    return {
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      date: (civil) =>
        new Intl.DateTimeFormat(locale, { ...DATE_PARTS[lang], timeZone: 'UTC' }).format(
          new Date(`${civil}T00:00:00Z`),
        ),
      dateTime: (iso) =>
        new Intl.DateTimeFormat(locale, {
          ...DATE_PARTS[lang],
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
          timeZone: TIME_ZONE,
        }).format(new Date(iso)),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
