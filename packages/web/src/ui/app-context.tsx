// Language, theme and translation for every component.
import { createContext, useContext } from 'react'
import { type Lang, localeOf, type Translate, translate } from '../i18n/i18n.ts'

export interface AppCtx {
  lang: Lang
  locale: string
  theme: 'light' | 'dark'
  /** Show times in UTC instead of the browser's zone. */
  utc: boolean
  t: Translate
}

export const AppContext = createContext<AppCtx>({
  lang: 'en',
  locale: localeOf('en'),
  theme: 'light',
  utc: false,
  t: (k, v) => translate('en', k, v),
})

export function useApp(): AppCtx {
  return useContext(AppContext)
}
