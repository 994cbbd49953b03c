// Message lookup and language choice. English and Korean; the browser's language is the default
// (seed 004 runs Kibana in ko-KR), the user's choice is remembered in this browser.
import { en, type MessageKey } from './en.ts'
import { ko } from './ko.ts'

export type Lang = 'en' | 'ko'
export const LANGS: Lang[] = ['en', 'ko']
export const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, ko }
export type { MessageKey }

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string

export function translate(lang: Lang, key: MessageKey, values?: Record<string, string | number>): string {
  const template = CATALOGUES[lang][key] ?? en[key] ?? key
  if (!values) return template
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m))
}

/** Stored choice first, then the first browser language we have, else English. */
export function detectLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored === 'en' || stored === 'ko') return stored
  for (const l of browser) {
    const base = l.toLowerCase().split('-')[0]
    if (base === 'ko' || base === 'en') return base
  }
  return 'en'
}

/** BCP 47 tag for Intl formatting. */
export function localeOf(lang: Lang): string {
  return lang === 'ko' ? 'ko-KR' : 'en-US'
}
