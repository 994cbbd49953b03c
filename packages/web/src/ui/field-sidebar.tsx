// Fields present in the results, with their top values: filter in/out, add as a column.
import { useState } from 'react'
import { api, type FieldInfo, type FieldValues } from '../lib/api.ts'
import { valueText } from '../lib/hit.ts'
import { useApp } from './app-context.tsx'
import { ErrorState, Loading } from './states.tsx'

export interface FieldSidebarProps {
  fields: FieldInfo[]
  columns: string[]
  query: string
  from: string
  to: string
  onFilter: (field: string, value: string, negate: boolean) => void
  onToggleColumn: (field: string) => void
}

export function FieldSidebar({ fields, columns, query, from, to, onFilter, onToggleColumn }: FieldSidebarProps) {
  const { t, locale } = useApp()
  const [filter, setFilter] = useState('')
  const [open, setOpen] = useState<string | null>(null)
  const [values, setValues] = useState<{ field: string; data?: FieldValues; error?: unknown } | null>(null)

  const toggle = (name: string) => {
    if (open === name) {
      setOpen(null)
      return
    }
    setOpen(name)
    setValues({ field: name })
    api.fieldValues({ field: name, query, from, to, size: 5 }).then(
      (data) => setValues((v) => (v?.field === name ? { field: name, data } : v)),
      (error) => setValues((v) => (v?.field === name ? { field: name, error } : v)),
    )
  }

  const f = filter.toLowerCase()
  const shown = fields.filter((x) => x.name.toLowerCase().includes(f))
  const selected = shown.filter((x) => columns.includes(x.name))
  const available = shown.filter((x) => !columns.includes(x.name))
  const nf = new Intl.NumberFormat(locale)

  const renderField = (x: FieldInfo) => {
    const isCol = columns.includes(x.name)
    return (
      <li key={x.name} className={`field${open === x.name ? ' open' : ''}`}>
        <div className="field-row">
          <button
            type="button"
            className="field-name"
            aria-expanded={open === x.name}
            onClick={() => toggle(x.name)}
            title={t('sidebar.inRecords', { count: nf.format(x.count) })}
          >
            <span className={`type type-${x.type}`} aria-hidden="true">
              {x.type === 'number' ? '#' : x.type === 'date' ? '◷' : x.type === 'boolean' ? '◐' : 't'}
            </span>
            {x.name}
          </button>
          <button
            type="button"
            className="icon-btn"
            aria-label={t(isCol ? 'sidebar.removeColumn' : 'sidebar.addColumn', { field: x.name })}
            title={t(isCol ? 'sidebar.removeColumn' : 'sidebar.addColumn', { field: x.name })}
            onClick={() => onToggleColumn(x.name)}
          >
            {isCol ? '−' : '+'}
          </button>
        </div>
        {open === x.name ? (
          <div className="field-values">
            <h4>{t('sidebar.topValues')}</h4>
            {values?.error ? <ErrorState error={values.error} /> : null}
            {!values?.data && !values?.error ? <Loading /> : null}
            {values?.data && values.data.values.length === 0 ? <p className="muted">{t('sidebar.noValues')}</p> : null}
            {values?.data ? (
              <ul>
                {values.data.values.map((v) => {
                  const text = valueText(v.value)
                  const pct = values.data!.total > 0 ? (v.count / values.data!.total) * 100 : 0
                  return (
                    <li key={text} className="value-row">
                      <span className="value-text" title={text}>
                        {text}
                      </span>
                      <span className="value-count">{nf.format(v.count)}</span>
                      <span className="value-pct">{pct.toFixed(1)}%</span>
                      <button
                        type="button"
                        className="icon-btn"
                        aria-label={t('sidebar.filterIn', { value: text })}
                        title={t('sidebar.filterIn', { value: text })}
                        onClick={() => onFilter(x.name, text, false)}
                      >
                        ⊕
                      </button>
                      <button
                        type="button"
                        className="icon-btn"
                        aria-label={t('sidebar.filterOut', { value: text })}
                        title={t('sidebar.filterOut', { value: text })}
                        onClick={() => onFilter(x.name, text, true)}
                      >
                        ⊖
                      </button>
                      <span className="value-bar" style={{ width: `${pct}%` }} aria-hidden="true" />
                    </li>
                  )
                })}
              </ul>
            ) : null}
          </div>
        ) : null}
      </li>
    )
  }

  return (
    <aside className="sidebar" aria-label={t('sidebar.title')}>
      <input
        className="sidebar-filter"
        type="search"
        placeholder={t('sidebar.filter')}
        aria-label={t('sidebar.filter')}
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      {fields.length === 0 ? <p className="muted small">{t('sidebar.empty')}</p> : null}
      {selected.length > 0 ? (
        <>
          <h3>{t('sidebar.selected')}</h3>
          <ul className="field-list">{selected.map(renderField)}</ul>
        </>
      ) : null}
      <h3>{t('sidebar.available')}</h3>
      <ul className="field-list">{available.map(renderField)}</ul>
    </aside>
  )
}
