// The application shell: navigation, language and theme, and the current view from the URL.
import { useEffect, useMemo, useState } from 'react'
import { detectLang, LANGS, type Lang, localeOf, translate } from '../i18n/i18n.ts'
import { setToken } from '../lib/api.ts'
import { setDisplayUtc } from '../lib/row-model.ts'
import { intervalMs } from '../lib/time-range.ts'
import { encodeState, VIEWS, type View } from '../lib/url-state.ts'
import { AppContext, type AppCtx } from './app-context.tsx'
import { NodeMetrics } from './dash-nodes.tsx'
import { Overview } from './dash-overview.tsx'
import { Pipeline } from './dash-pipeline.tsx'
import { Explore } from './explore.tsx'
import { KeyIcon } from './icons.tsx'
import { TimePicker } from './time-picker.tsx'
import { useTick } from './use-async.ts'
import { useUrlState } from './use-url-state.ts'

const NAV_KEYS = {
  explore: 'nav.explore',
  overview: 'nav.overview',
  nodes: 'nav.nodes',
  pipeline: 'nav.pipeline',
} as const
const TITLE_KEYS = {
  overview: 'dash.overview.title',
  nodes: 'dash.nodes.title',
  pipeline: 'dash.pipeline.title',
} as const

function initialTheme(): 'light' | 'dark' {
  const stored = localStorage.getItem('sluice.theme')
  if (stored === 'light' || stored === 'dark') return stored
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export function App() {
  const [state, update] = useUrlState()
  const [lang, setLang] = useState<Lang>(() =>
    detectLang(localStorage.getItem('sluice.lang'), navigator.languages ?? []),
  )
  const [theme, setTheme] = useState(initialTheme)
  const [utc, setUtc] = useState(() => localStorage.getItem('sluice.tz') === 'utc')
  const [tokenOpen, setTokenOpen] = useState(false)
  const [token, setTokenText] = useState('')
  const ctx = useMemo<AppCtx>(() => {
    // Set before children render, so row models format times in the chosen zone.
    setDisplayUtc(utc)
    return { lang, locale: localeOf(lang), theme, utc, t: (k, v) => translate(lang, k, v) }
  }, [lang, theme, utc])
  const { t } = ctx
  const tick = useTick(state.view === 'explore' ? 0 : intervalMs(state.refresh))

  useEffect(() => {
    document.documentElement.lang = lang
    document.documentElement.dataset.theme = theme
    document.title = `${t(state.view === 'explore' ? 'nav.explore' : TITLE_KEYS[state.view])} · ${t('app.name')}`
  }, [lang, theme, state.view, t])

  const go = (view: View) => update({ view, live: false })
  return (
    <AppContext.Provider value={ctx}>
      <a className="skip" href="#content">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <span className="brand">
          <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
            <path d="M2 3h12L9 9v4l-2 1V9z" fill="currentColor" />
          </svg>
          {t('app.name')}
        </span>
        <nav aria-label={t('nav.label')}>
          {VIEWS.map((v) => (
            <a
              key={v}
              href={encodeState({ ...state, view: v, live: false })}
              aria-current={state.view === v ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault()
                go(v)
              }}
            >
              {t(NAV_KEYS[v])}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <label className="setting">
          <span className="sr-only">{t('settings.language')}</span>
          <select
            aria-label={t('settings.language')}
            value={lang}
            data-testid="lang"
            onChange={(e) => {
              const l = e.target.value as Lang
              localStorage.setItem('sluice.lang', l)
              setLang(l)
            }}
          >
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {t(`lang.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="setting">
          <span className="sr-only">{t('settings.tz')}</span>
          <select
            aria-label={t('settings.tz')}
            value={utc ? 'utc' : 'local'}
            onChange={(e) => {
              localStorage.setItem('sluice.tz', e.target.value)
              setUtc(e.target.value === 'utc')
            }}
          >
            <option value="local">{t('settings.tz.local')}</option>
            <option value="utc">{t('settings.tz.utc')}</option>
          </select>
        </label>
        <button
          type="button"
          className="btn"
          aria-label={t('settings.theme')}
          title={t('settings.theme')}
          onClick={() => {
            const next = theme === 'dark' ? 'light' : 'dark'
            localStorage.setItem('sluice.theme', next)
            setTheme(next)
          }}
        >
          {theme === 'dark' ? `☀ ${t('settings.theme.light')}` : `☾ ${t('settings.theme.dark')}`}
        </button>
        <button
          type="button"
          className="btn"
          aria-expanded={tokenOpen}
          title={t('settings.token')}
          onClick={() => setTokenOpen(!tokenOpen)}
        >
          <KeyIcon />
          <span className="sr-only">{t('settings.token')}</span>
        </button>
        {tokenOpen ? (
          <form
            className="popover token-form"
            onSubmit={(e) => {
              e.preventDefault()
              setToken(token.trim())
              setTokenOpen(false)
              location.reload()
            }}
          >
            <label>
              {t('settings.token')}
              <input
                type="password"
                value={token}
                placeholder={t('settings.token.placeholder')}
                onChange={(e) => setTokenText(e.target.value)}
              />
            </label>
            <button type="submit" className="btn btn-primary">
              {t('settings.token.save')}
            </button>
          </form>
        ) : null}
      </header>
      {state.view === 'explore' ? (
        <Explore state={state} update={update} />
      ) : (
        <main className="dashboard" id="content">
          <div className="dash-head">
            <h1>{t(TITLE_KEYS[state.view])}</h1>
            <span className="spacer" />
            <TimePicker
              range={{ from: state.from, to: state.to }}
              refresh={state.refresh}
              onChange={(r) => update(r)}
              onRefreshChange={(refresh) => update({ refresh })}
            />
          </div>
          {state.view === 'overview' ? <Overview state={state} tick={tick} /> : null}
          {state.view === 'nodes' ? <NodeMetrics state={state} tick={tick} /> : null}
          {state.view === 'pipeline' ? <Pipeline from={state.from} to={state.to} tick={tick} /> : null}
        </main>
      )}
    </AppContext.Provider>
  )
}
