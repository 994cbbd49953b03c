// An expanded row: a field table with per-field actions and the raw JSON, both with copy buttons.
import { useState } from 'react'
import type { LogRowModel } from '../lib/row-model.ts'
import { useApp } from './app-context.tsx'

export function CopyButton({
  text,
  label,
  shown,
  done: doneText,
  className = 'btn btn-small',
}: {
  text: string | (() => string)
  label?: string
  shown?: string
  done?: string
  className?: string
}) {
  const { t } = useApp()
  const [done, setDone] = useState(false)
  return (
    <button
      type="button"
      className={className}
      aria-label={label}
      onClick={async () => {
        const value = typeof text === 'function' ? text() : text
        try {
          await navigator.clipboard.writeText(value)
        } catch {
          // Clipboard API needs a secure context; fall back to a hidden textarea.
          const ta = document.createElement('textarea')
          ta.value = value
          document.body.append(ta)
          ta.select()
          document.execCommand('copy')
          ta.remove()
        }
        setDone(true)
        setTimeout(() => setDone(false), 1500)
      }}
    >
      {done ? (doneText ?? t('detail.copied')) : (shown ?? t('detail.copy'))}
    </button>
  )
}

export function RowDetail({
  row,
  columns,
  onFilter,
  onToggleColumn,
  onContext,
}: {
  row: LogRowModel
  columns: string[]
  onFilter: (field: string, value: string, negate: boolean) => void
  onToggleColumn: (field: string) => void
  onContext?: (row: LogRowModel) => void
}) {
  const { t } = useApp()
  const [tab, setTab] = useState<'fields' | 'json'>('fields')
  return (
    <div className="row-detail" data-testid="row-detail">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'fields'} onClick={() => setTab('fields')}>
          {t('detail.fields')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'json'} onClick={() => setTab('json')}>
          {t('detail.json')}
        </button>
        <span className="spacer" />
        {onContext ? (
          <button type="button" className="btn btn-small" onClick={() => onContext(row)}>
            {t('detail.context')}
          </button>
        ) : null}
        <CopyButton text={row.json} />
      </div>
      {tab === 'fields' ? (
        <table className="field-table">
          <tbody>
            {row.fieldRows().map(([k, text]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className="field-actions">
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={t('detail.filterIn')}
                    title={t('detail.filterIn')}
                    onClick={() => onFilter(k, text, false)}
                  >
                    ⊕
                  </button>
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={t('detail.filterOut')}
                    title={t('detail.filterOut')}
                    onClick={() => onFilter(k, text, true)}
                  >
                    ⊖
                  </button>
                  <button
                    type="button"
                    className={`icon-btn${columns.includes(k) ? ' on' : ''}`}
                    aria-label={t('detail.toggleColumn')}
                    title={t('detail.toggleColumn')}
                    onClick={() => onToggleColumn(k)}
                  >
                    ▥
                  </button>
                  <CopyButton text={text} label={t('detail.copyValue')} />
                </td>
                <td className="field-value">{text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <pre className="json">{row.json}</pre>
      )}
    </div>
  )
}
