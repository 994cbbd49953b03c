// The virtualized log table (TanStack Virtual): only rows in view are in the DOM, so 100k rows scroll
// smoothly. Rows are LogRowModels (lazy, cached text); a row expands to its fields and raw JSON.
import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useCallback, useEffect, useRef, useState } from 'react'
import type { LogRowModel } from '../lib/row-model.ts'
import { useApp } from './app-context.tsx'
import { RowDetail } from './row-detail.tsx'

/** Height of a collapsed row in px; must match `--row-h` in styles.css. */
export const ROW_H = 24

export interface LogTableProps {
  rows: LogRowModel[]
  columns: string[]
  terms: string[]
  sort: 'asc' | 'desc'
  onSortChange?: (sort: 'asc' | 'desc') => void
  onEndReached?: () => void
  onFilter: (field: string, value: string, negate: boolean) => void
  onToggleColumn: (field: string) => void
  onMoveColumn: (field: string) => void
  onContext?: (row: LogRowModel) => void
  footer?: React.ReactNode
}

export function columnLabel(t: ReturnType<typeof useApp>['t'], c: string): string {
  return c === '_message' ? t('table.message') : c
}

export function LogTable(props: LogTableProps) {
  const { rows, columns, terms, sort, onEndReached } = props
  const { t, utc } = useApp()
  const scroller = useRef<HTMLDivElement>(null)
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set())
  // Collapsed rows have a fixed height (CSS --row-h), so only expanded rows are measured: measuring
  // every row made the virtualizer recompute 100k offsets on each scroll. An expanded row gets its own
  // key, so collapsing it forgets its measured height. Stable callbacks keep the offsets cached.
  const estimateSize = useCallback((i: number) => (expanded.has(rows[i]!.id) ? 360 : ROW_H), [rows, expanded])
  const getItemKey = useCallback(
    (i: number) => (expanded.has(rows[i]!.id) ? `${rows[i]!.id}\u0000x` : rows[i]!.id),
    [rows, expanded],
  )
  const getScrollElement = useCallback(() => scroller.current, [])
  const v = useVirtualizer({ count: rows.length, getScrollElement, estimateSize, overscan: 15, getItemKey })
  const items = v.getVirtualItems()
  const lastIndex = items.at(-1)?.index ?? -1

  useEffect(() => {
    if (onEndReached && rows.length > 0 && lastIndex >= rows.length - 30) onEndReached()
  }, [lastIndex, rows.length, onEndReached])

  const grid = `minmax(13.5rem, auto) ${columns.map((_, i) => (i === columns.length - 1 ? 'minmax(24rem, 1fr)' : 'minmax(8rem, 16rem)')).join(' ')}`
  // Stable, so memoized rows do not re-render on every scroll.
  const toggle = useCallback(
    (id: string) =>
      setExpanded((s) => {
        const n = new Set(s)
        if (n.has(id)) n.delete(id)
        else n.add(id)
        return n
      }),
    [],
  )

  return (
    <div className="log-table" data-rows={rows.length} style={{ ['--grid' as string]: grid }}>
      <div className="log-head">
        <div className="cell cell-time">
          {props.onSortChange ? (
            <button
              type="button"
              className="link"
              title={t(sort === 'desc' ? 'table.sortAsc' : 'table.sortDesc')}
              onClick={() => props.onSortChange!(sort === 'desc' ? 'asc' : 'desc')}
            >
              {t('table.time')} {sort === 'desc' ? '↓' : '↑'}
            </button>
          ) : (
            t('table.time')
          )}
        </div>
        {columns.map((c, i) => (
          <div key={c} className="cell col-head">
            <span className="col-name">{columnLabel(t, c)}</span>
            {i > 0 ? (
              <button
                type="button"
                className="icon-btn"
                aria-label={t('table.moveLeft')}
                title={t('table.moveLeft')}
                onClick={() => props.onMoveColumn(c)}
              >
                ←
              </button>
            ) : null}
            {c !== '_message' || columns.length > 1 ? (
              <button
                type="button"
                className="icon-btn"
                aria-label={t('table.removeColumn')}
                title={t('table.removeColumn')}
                onClick={() => props.onToggleColumn(c)}
              >
                ×
              </button>
            ) : null}
          </div>
        ))}
      </div>
      <div className="log-scroll" ref={scroller} data-testid="log-scroll">
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rows[item.index]!
            const open = expanded.has(row.id)
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={open ? v.measureElement : undefined}
                className="log-row-wrap"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <LogRow
                  row={row}
                  columns={columns}
                  terms={terms}
                  expanded={expanded.has(row.id)}
                  utc={utc}
                  onToggle={toggle}
                />
                {expanded.has(row.id) ? (
                  <RowDetail
                    row={row}
                    columns={columns}
                    onFilter={props.onFilter}
                    onToggleColumn={props.onToggleColumn}
                    onContext={props.onContext}
                  />
                ) : null}
              </div>
            )
          })}
        </div>
        {props.footer}
      </div>
    </div>
  )
}

const LogRow = memo(function LogRow({
  row,
  columns,
  terms,
  expanded,
  onToggle,
}: {
  row: LogRowModel
  columns: string[]
  terms: string[]
  expanded: boolean
  /** Not read here: a change re-renders the memoized row so its time shows in the new zone. */
  utc: boolean
  onToggle: (id: string) => void
}) {
  const { t } = useApp()
  return (
    <button
      type="button"
      className={`log-row level-${row.level || 'none'}${expanded ? ' expanded' : ''}`}
      aria-expanded={expanded}
      title={t(expanded ? 'table.collapse' : 'table.expand')}
      onClick={() => onToggle(row.id)}
    >
      <span className="cell cell-time">
        <span className="chevron" aria-hidden="true">
          {expanded ? '▾' : '▸'}
        </span>
        {row.time}
      </span>
      {columns.map((c) => (
        <span key={c} className="cell">
          {row.marks(c, terms).map((s, i) =>
            s.hit ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
              <mark key={i}>{s.text}</mark>
            ) : (
              s.text
            ),
          )}
        </span>
      ))}
    </button>
  )
})
