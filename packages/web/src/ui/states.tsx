// Loading, empty and error states, written for people: what happened and what to do next.
import type { ReactNode } from 'react'
import type { MessageKey } from '../i18n/i18n.ts'
import { ApiError } from '../lib/api.ts'
import { useApp } from './app-context.tsx'

export function Loading({ label }: { label?: string }) {
  const { t } = useApp()
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('state.loading')}
    </div>
  )
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <strong>{title}</strong>
      {children ? <p>{children}</p> : null}
    </div>
  )
}

/** Human message for any failure; API errors are mapped by their `type`. */
export function errorMessage(t: ReturnType<typeof useApp>['t'], error: unknown): string {
  if (error instanceof ApiError) {
    const key = `state.error.${error.type}` as MessageKey
    const known = ['network', 'unauthorized', 'forbidden', 'internal', 'bad_request', 'kql_syntax_error']
    if (error.type === 'kql_syntax_error') return t('state.error.bad_request', { reason: error.message })
    if (known.includes(error.type)) return t(key, { reason: error.message })
    return t('state.error.internal', { reason: error.message })
  }
  return t('state.error.internal', { reason: String((error as Error)?.message ?? error) })
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useApp()
  return (
    <div className="state state-error" role="alert">
      <strong>{t('state.error.title')}</strong>
      <p>{errorMessage(t, error)}</p>
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          {t('state.retry')}
        </button>
      ) : null}
    </div>
  )
}
