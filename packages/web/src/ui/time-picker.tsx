// Time range picker: quick relative ranges, an absolute range (ISO or date math), and auto-refresh.
import { useEffect, useId, useRef, useState } from 'react'
import type { MessageKey } from '../i18n/i18n.ts'
import { describeRange, parseTime, QUICK_RANGES, REFRESH_INTERVALS, type TimeRange } from '../lib/time-range.ts'
import { useApp } from './app-context.tsx'
import { ClockIcon } from './icons.tsx'

export interface TimePickerProps {
  range: TimeRange
  refresh: string
  onChange: (range: TimeRange) => void
  onRefreshChange: (refresh: string) => void
}

export function TimePicker({ range, refresh, onChange, onRefreshChange }: TimePickerProps) {
  const { t } = useApp()
  const [open, setOpen] = useState(false)
  const [from, setFrom] = useState(range.from)
  const [to, setTo] = useState(range.to)
  const [error, setError] = useState<string | null>(null)
  const panelId = useId()
  const root = useRef<HTMLDivElement>(null)

  useEffect(() => {
    setFrom(range.from)
    setTo(range.to)
    setError(null)
  }, [range.from, range.to])

  useEffect(() => {
    if (!open) return
    const onDoc = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', onDoc)
    return () => document.removeEventListener('mousedown', onDoc)
  }, [open])

  const d = describeRange(range)
  const apply = () => {
    const now = Date.now()
    for (const v of [from, to]) {
      const r = parseTime(v, now)
      if ('error' in r) {
        setError(r.error)
        return
      }
    }
    const f = parseTime(from, now) as { ms: number }
    const tt = parseTime(to, now) as { ms: number }
    if (f.ms > tt.ms) {
      setError('time.error.order')
      return
    }
    setOpen(false)
    onChange({ from: from.trim(), to: to.trim() })
  }

  return (
    <div className="time-picker" ref={root}>
      <button
        type="button"
        className="btn time-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={panelId}
        title={t('time.label')}
        onClick={() => setOpen(!open)}
      >
        <ClockIcon /> {t(d.key as MessageKey, d.values)}
      </button>
      <label className="refresh">
        <span className="sr-only">{t('time.refresh')}</span>
        <select aria-label={t('time.refresh')} value={refresh} onChange={(e) => onRefreshChange(e.target.value)}>
          {REFRESH_INTERVALS.map((r) => (
            <option key={r} value={r}>
              {r === 'off' ? `⟳ ${t('time.refresh.off')}` : `⟳ ${r}`}
            </option>
          ))}
        </select>
      </label>
      {open ? (
        <div
          id={panelId}
          className="popover time-panel"
          role="dialog"
          aria-label={t('time.label')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false)
          }}
        >
          <div className="time-quick">
            <h3>{t('time.quick')}</h3>
            <ul>
              {QUICK_RANGES.map((q) => (
                <li key={q.from}>
                  <button
                    type="button"
                    className={`link${range.from === q.from && range.to === 'now' ? ' current' : ''}`}
                    onClick={() => {
                      setOpen(false)
                      onChange({ from: q.from, to: 'now' })
                    }}
                  >
                    {t(q.key as MessageKey)}
                  </button>
                </li>
              ))}
            </ul>
          </div>
          <form
            className="time-absolute"
            onSubmit={(e) => {
              e.preventDefault()
              apply()
            }}
          >
            <h3>{t('time.absolute.title')}</h3>
            <label>
              {t('time.from')}
              <input value={from} onChange={(e) => setFrom(e.target.value)} spellCheck={false} name="from" />
            </label>
            <label>
              {t('time.to')}
              <input value={to} onChange={(e) => setTo(e.target.value)} spellCheck={false} name="to" />
            </label>
            <p className="muted small">{t('time.hint')}</p>
            {error ? (
              <p className="field-error" role="alert">
                {t(error as MessageKey)}
              </p>
            ) : null}
            <button type="submit" className="btn btn-primary">
              {t('time.apply')}
            </button>
          </form>
        </div>
      ) : null}
    </div>
  )
}
