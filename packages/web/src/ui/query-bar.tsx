// KQL input with field and value completion (/api/fields, /api/field-values) and the server's syntax
// error shown under the query with a caret at its position.
import { useEffect, useId, useRef, useState } from 'react'
import { api } from '../lib/api.ts'
import { valueText } from '../lib/hit.ts'
import { type CompletionContext, completionContext, quoteValue } from '../lib/kql-text.ts'
import { useApp } from './app-context.tsx'

interface Suggestion {
  text: string
  kind: 'field' | 'value'
  detail?: string
}

export interface QueryBarProps {
  query: string
  from: string
  to: string
  fields: string[]
  syntaxError: { reason: string; position?: number } | null
  onSubmit: (query: string) => void
}

export function QueryBar({ query, from, to, fields, syntaxError, onSubmit }: QueryBarProps) {
  const { t } = useApp()
  const [text, setText] = useState(query)
  const [ctx, setCtx] = useState<CompletionContext | null>(null)
  const [items, setItems] = useState<Suggestion[]>([])
  const [active, setActive] = useState(-1)
  const [open, setOpen] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const listId = useId()
  const errId = useId()

  useEffect(() => setText(query), [query])

  // Field suggestions are local (the sidebar already loaded /api/fields); value suggestions ask the server.
  useEffect(() => {
    if (!open || !ctx) {
      setItems([])
      return
    }
    if (ctx.kind === 'field') {
      const p = ctx.prefix.toLowerCase()
      const list = fields
        .filter((f) => f.toLowerCase().includes(p) && f !== ctx.prefix)
        .sort((a, b) => Number(!a.toLowerCase().startsWith(p)) - Number(!b.toLowerCase().startsWith(p)))
        .slice(0, 12)
      setItems(list.map((f) => ({ text: f, kind: 'field' })))
      setActive(-1)
      return
    }
    const ctl = new AbortController()
    const h = setTimeout(() => {
      api
        .fieldValues({ field: ctx.field, from, to, size: 12, prefix: ctx.prefix || undefined }, ctl.signal)
        .then((r) => {
          setItems(r.values.map((v) => ({ text: valueText(v.value), kind: 'value', detail: String(v.count) })))
          setActive(-1)
        })
        .catch(() => setItems([]))
    }, 120)
    return () => {
      clearTimeout(h)
      ctl.abort()
    }
  }, [ctx, open, fields, from, to])

  const refreshContext = () => {
    const el = input.current
    if (!el) return
    setCtx(completionContext(el.value, el.selectionStart ?? el.value.length))
  }

  const accept = (s: Suggestion) => {
    if (!ctx) return
    const insert = s.kind === 'field' ? `${s.text}: ` : `${quoteValue(s.text)} `
    const next = text.slice(0, ctx.start) + insert + text.slice(ctx.end).replace(/^\s+/, '')
    setText(next)
    const pos = ctx.start + insert.length
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(pos, pos)
      refreshContext()
    })
  }

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    const visible = open && items.length > 0
    if (e.key === 'ArrowDown' && visible) {
      e.preventDefault()
      setActive((a) => (a + 1) % items.length)
    } else if (e.key === 'ArrowUp' && visible) {
      e.preventDefault()
      setActive((a) => (a <= 0 ? items.length - 1 : a - 1))
    } else if ((e.key === 'Enter' || e.key === 'Tab') && visible && active >= 0) {
      e.preventDefault()
      accept(items[active]!)
    } else if (e.key === 'Escape' && visible) {
      e.preventDefault()
      setOpen(false)
    } else if (e.key === 'Enter') {
      e.preventDefault()
      setOpen(false)
      onSubmit(text)
    }
  }

  const showList = open && items.length > 0
  return (
    <form
      className="query-bar"
      onSubmit={(e) => {
        e.preventDefault()
        onSubmit(text)
      }}
    >
      <div className="query-input-wrap">
        <input
          ref={input}
          className={`query-input${syntaxError ? ' invalid' : ''}`}
          type="text"
          role="combobox"
          aria-label={t('query.label')}
          aria-expanded={showList}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
          aria-invalid={!!syntaxError}
          aria-describedby={syntaxError ? errId : undefined}
          placeholder={t('query.placeholder')}
          spellCheck={false}
          autoComplete="off"
          value={text}
          onChange={(e) => {
            setText(e.target.value)
            setOpen(true)
            setCtx(completionContext(e.target.value, e.target.selectionStart ?? e.target.value.length))
          }}
          onFocus={() => {
            setOpen(true)
            refreshContext()
          }}
          onClick={refreshContext}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={onKeyDown}
        />
        {showList ? (
          <div id={listId} className="suggestions" role="listbox" aria-label={t('query.suggestions')}>
            {items.map((s, i) => (
              <div
                key={`${s.kind}:${s.text}`}
                id={`${listId}-${i}`}
                role="option"
                tabIndex={-1}
                aria-selected={i === active}
                className={`suggestion${i === active ? ' active' : ''}`}
                onMouseDown={(e) => {
                  e.preventDefault()
                  accept(s)
                }}
                onKeyDown={() => {}}
              >
                <span className={`kind kind-${s.kind}`}>
                  {t(s.kind === 'field' ? 'query.suggest.field' : 'query.suggest.value')}
                </span>
                <span className="suggestion-text">{s.text}</span>
                {s.detail ? <span className="suggestion-detail">{s.detail}</span> : null}
              </div>
            ))}
          </div>
        ) : null}
      </div>
      <button type="submit" className="btn btn-primary">
        {t('query.submit')}
      </button>
      {syntaxError ? <KqlSyntaxError id={errId} query={query} error={syntaxError} /> : null}
    </form>
  )
}

function KqlSyntaxError({
  id,
  query,
  error,
}: {
  id: string
  query: string
  error: { reason: string; position?: number }
}) {
  const { t } = useApp()
  const pos = error.position
  return (
    <div id={id} className="syntax-error" role="alert">
      <strong>{t('query.error.title')}</strong>
      {pos !== undefined ? <span className="muted"> {t('query.error.at', { position: pos })}</span> : null}
      <div className="syntax-reason">{error.reason}</div>
      {pos !== undefined ? (
        <pre className="syntax-where" data-testid="syntax-where">
          {query.slice(0, pos)}
          <mark className="syntax-mark">{query.slice(pos, pos + 1) || ' '}</mark>
          {query.slice(pos + 1)}
          {'\n'}
          {`${' '.repeat(pos)}^`}
        </pre>
      ) : null}
      <div className="muted">{t('query.error.help')}</div>
    </div>
  )
}
