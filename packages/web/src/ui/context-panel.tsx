// Records before and after a hit in the same pod/container stream (/api/context), in a dialog.
import { useEffect, useRef, useState } from 'react'
import { api } from '../lib/api.ts'
import { type LogRowModel, RowModelCache } from '../lib/row-model.ts'
import { useApp } from './app-context.tsx'
import { ErrorState, Loading } from './states.tsx'
import { useAsync } from './use-async.ts'

export function ContextPanel({ anchor, onClose }: { anchor: LogRowModel; onClose: () => void }) {
  const { t } = useApp()
  const [n, setN] = useState(10)
  const close = useRef<HTMLButtonElement>(null)
  const cache = useRef(new RowModelCache())
  const ctx = useAsync((signal) => api.context({ id: anchor.id, before: n, after: n }, signal), [anchor.id, n])
  useEffect(() => close.current?.focus(), [])

  const rowsOf = (hits: Parameters<RowModelCache['rows']>[0]) => cache.current.rows(hits)
  const line = (r: LogRowModel, cls = '') => (
    <li key={r.id} className={`context-row level-${r.level || 'none'} ${cls}`}>
      <span className="cell-time">{r.time}</span>
      <span className="context-msg">{r.message}</span>
    </li>
  )
  return (
    // Clicking the backdrop closes (a mouse convenience); keyboard users have Escape and the Close button.
    // biome-ignore lint/a11y/noStaticElementInteractions: see above
    <div
      className="overlay"
      role="presentation"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose()
      }}
    >
      <div
        className="dialog context-panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="context-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose()
        }}
      >
        <header className="panel-head">
          <h2 id="context-title">{t('context.title')}</h2>
          <span className="muted small">{t('context.scope')}</span>
          <span className="spacer" />
          <button type="button" className="btn" ref={close} onClick={onClose}>
            {t('context.close')}
          </button>
        </header>
        {ctx.error ? <ErrorState error={ctx.error} onRetry={ctx.reload} /> : null}
        {ctx.loading && !ctx.data ? <Loading /> : null}
        {ctx.data ? (
          <div className="context-body">
            <button type="button" className="btn btn-small" onClick={() => setN(n + 20)}>
              {t('context.more', { n: 20 })}
            </button>
            <ol className="context-list" aria-label={t('context.before')}>
              {rowsOf(ctx.data.before).map((r) => line(r))}
            </ol>
            <ol className="context-list" aria-label={t('context.anchor')}>
              {line(rowsOf([ctx.data.hit])[0]!, 'anchor')}
            </ol>
            <ol className="context-list" aria-label={t('context.after')}>
              {rowsOf(ctx.data.after).map((r) => line(r))}
            </ol>
            <button type="button" className="btn btn-small" onClick={() => setN(n + 20)}>
              {t('context.more', { n: 20 })}
            </button>
          </div>
        ) : null}
      </div>
    </div>
  )
}
