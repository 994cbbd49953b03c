// Saved searches stored on the server (/api/saved-searches): save the current one, reopen or delete.
import { useEffect, useRef, useState } from 'react'
import { api, type SavedSearch } from '../lib/api.ts'
import type { UrlState } from '../lib/url-state.ts'
import { useApp } from './app-context.tsx'
import { ErrorState, Loading } from './states.tsx'

export function SavedSearches({ state, onOpen }: { state: UrlState; onOpen: (s: SavedSearch) => void }) {
  const { t } = useApp()
  const [open, setOpen] = useState(false)
  const [items, setItems] = useState<SavedSearch[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [name, setName] = useState('')
  const [notice, setNotice] = useState('')
  const root = useRef<HTMLDivElement>(null)

  const load = () => {
    setError(null)
    api.savedSearches().then((r) => setItems(r.items), setError)
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: load only when the panel opens
  useEffect(() => {
    if (open) load()
  }, [open])
  useEffect(() => {
    if (!open) return
    const onDoc = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', onDoc)
    return () => document.removeEventListener('mousedown', onDoc)
  }, [open])

  const save = async () => {
    const n = name.trim()
    if (!n) return
    try {
      await api.saveSearch({ name: n, query: state.query, from: state.from, to: state.to, columns: state.columns })
      setName('')
      setNotice(t('saved.saved', { name: n }))
      load()
    } catch (err) {
      setError(err)
    }
  }

  return (
    <div className="saved" ref={root}>
      <button type="button" className="btn" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t('saved.title')}
      </button>
      {open ? (
        <div
          className="popover saved-panel"
          role="dialog"
          aria-label={t('saved.title')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false)
          }}
        >
          <form
            className="saved-form"
            onSubmit={(e) => {
              e.preventDefault()
              void save()
            }}
          >
            <label>
              {t('saved.name')}
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('saved.namePlaceholder')} />
            </label>
            <button type="submit" className="btn btn-primary" disabled={!name.trim()}>
              {t('saved.saveConfirm')}
            </button>
          </form>
          {notice ? (
            <p className="notice" role="status">
              {notice}
            </p>
          ) : null}
          {error ? <ErrorState error={error} onRetry={load} /> : null}
          {!items && !error ? <Loading /> : null}
          {items && items.length === 0 ? <p className="muted">{t('saved.empty')}</p> : null}
          {items && items.length > 0 ? (
            <ul className="saved-list">
              {items.map((s) => (
                <li key={s.id}>
                  <button
                    type="button"
                    className="link saved-open"
                    onClick={() => {
                      setOpen(false)
                      onOpen(s)
                    }}
                  >
                    <strong>{s.name}</strong>
                    <span className="muted small mono">{s.query}</span>
                  </button>
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={t('saved.delete', { name: s.name })}
                    title={t('saved.delete', { name: s.name })}
                    onClick={() => api.deleteSearch(s.id).then(load, setError)}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}
