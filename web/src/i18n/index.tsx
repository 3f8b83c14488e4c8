/**
 * The language of the app: Chinese by default, English on request (the switch in the header), remembered in
 * localStorage (a preference, not a credential). `useT()` gives a typed `t(key, vars)`; antd's own texts follow
 * through its zh_CN / en_US locales (App.tsx).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { common } from './common';
import type { Lang } from './define';
import { publicPages } from './public';
import { workbench } from './workbench';

export type { Lang } from './define';

// Add an area's messages here (and to MessageKey's union through the spread).
const tables = [common, workbench, publicPages] as const;

type KeysOf<T> = T extends Record<Lang, Record<infer K, string>> ? K : never;
export type MessageKey = KeysOf<(typeof tables)[number]>;

const merged: Record<Lang, Record<string, string>> = {
  zh: Object.assign({}, ...tables.map((t) => t.zh)) as Record<string, string>,
  en: Object.assign({}, ...tables.map((t) => t.en)) as Record<string, string>,
};

/** Whether a key exists (for codes from the API that may be newer than the app). */
export const hasMessage = (key: string): key is MessageKey => key in merged.zh;

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const STORAGE_KEY = 'onestop.lang';
const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'zh' || stored === 'en') return stored;
  } catch {
    /* storage off: default */
  }
  return 'zh';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* storage off: this page only */
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const t = useCallback<Translate>(
    (key, vars) => {
      const text = merged[lang][key] ?? merged.zh[key] ?? key;
      return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
    },
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export const useT = (): Translate => useI18n().t;

/** A bilingual value from the API ({zh, en}) in the current language. */
export function useBilingual(): (b: { zh: string; en: string } | null | undefined, fallback?: string) => string {
  const { lang } = useI18n();
  return useCallback((b, fallback = '') => (b ? b[lang] || b.zh : fallback), [lang]);
}
