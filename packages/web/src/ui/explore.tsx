// Explore: Discover for Kubernetes logs. Query bar, time picker, histogram, field sidebar, log table,
// context, live tail and saved searches; every choice is in the URL.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { MessageKey } from '../i18n/i18n.ts'
import { ApiError, api, type FieldInfo, type HistogramResponse } from '../lib/api.ts'
import { addFilter, highlightTerms } from '../lib/kql-text.ts'
import { type LogRowModel, RowModelCache } from '../lib/row-model.ts'
import { absoluteRange, describeRange, intervalMs, resolveRange } from '../lib/time-range.ts'
import type { UrlState } from '../lib/url-state.ts'
import { useApp } from './app-context.tsx'
import { ContextPanel } from './context-panel.tsx'
import { FieldSidebar } from './field-sidebar.tsx'
import { Histogram } from './histogram.tsx'
import { LogTable } from './log-table.tsx'
import { QueryBar } from './query-bar.tsx'
import { CopyButton } from './row-detail.tsx'
import { SavedSearches } from './saved-searches.tsx'
import { Empty, ErrorState, Loading } from './states.tsx'
import { TimePicker } from './time-picker.tsx'
import { useTick } from './use-async.ts'
import { useLiveTail } from './use-live-tail.ts'

// The first page is small so results appear fast; later pages are larger so scrolling to 100k rows
// takes 20 requests, not 200.
const PAGE = 500
const NEXT_PAGE = 5000
const MAX_ROWS = 100_000
const SPLIT_SUGGESTIONS = [
  'level',
  'kubernetes.namespace_name',
  'kubernetes.pod_name',
  'kubernetes.container_name',
  'stream',
  '_index',
]

interface Results {
  rows: LogRowModel[]
  total: number
  atLeast: boolean
  after: string | null
  took: number
}

export function Explore({
  state,
  update,
}: {
  state: UrlState
  update: (p: Partial<UrlState>, o?: { replace?: boolean }) => void
}) {
  const { t, locale } = useApp()
  const { query, from, to, sort, split, live } = state
  const tick = useTick(live ? 0 : intervalMs(state.refresh))
  const cache = useRef(new RowModelCache())
  const [results, setResults] = useState<Results | null>(null)
  const [searchError, setSearchError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const [loadingMore, setLoadingMore] = useState(false)
  const [hist, setHist] = useState<HistogramResponse | null>(null)
  const [fields, setFields] = useState<FieldInfo[]>([])
  const [contextRow, setContextRow] = useState<LogRowModel | null>(null)
  const [nonce, setNonce] = useState(0)
  const columns = useMemo(() => (state.columns.length > 0 ? state.columns : ['_message']), [state.columns])
  const terms = useMemo(() => highlightTerms(query), [query])
  const rangeCheck = resolveRange({ from, to }, Date.now())
  const rangeError = 'error' in rangeCheck ? rangeCheck.error : null

  // Search, histogram and fields reload together on any change of query, range, sort or refresh tick.
  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce and tick are reload triggers
  useEffect(() => {
    if (rangeError || live) return
    const ctl = new AbortController()
    const s = ctl.signal
    setLoading(true)
    setSearchError(null)
    api.search({ query, from, to, size: PAGE, sort }, s).then(
      (r) => {
        // A new search (or a refresh) reuses the models of rows seen before and forgets the rest.
        const rows = cache.current.rows(r.hits)
        cache.current.prune(rows)
        setResults({
          rows,
          total: r.total,
          atLeast: r.total_relation === 'gte',
          after: r.after,
          took: r.took,
        })
        setLoading(false)
      },
      (err) => {
        if (s.aborted) return
        setSearchError(err)
        setResults(null)
        setLoading(false)
      },
    )
    api.histogram({ query, from, to, split: split || undefined, splitSize: 6 }, s).then(setHist, () => {
      if (!s.aborted) setHist(null)
    })
    api.fields({ query, from, to }, s).then(
      (r) => setFields(r.fields.filter((f) => f.name !== '_id').sort((a, b) => a.name.localeCompare(b.name))),
      () => {},
    )
    return () => ctl.abort()
  }, [query, from, to, sort, split, tick, nonce, live, rangeError])

  const loadMore = useCallback(() => {
    if (!results?.after || loadingMore || results.rows.length >= MAX_ROWS) return
    setLoadingMore(true)
    api.search({ query, from, to, size: NEXT_PAGE, sort, after: results.after }).then(
      (r) => {
        setResults((old) => (old ? { ...old, rows: old.rows.concat(cache.current.rows(r.hits)), after: r.after } : old))
        setLoadingMore(false)
      },
      (err) => {
        setSearchError(err)
        setLoadingMore(false)
      },
    )
  }, [results, loadingMore, query, from, to, sort])

  const tail = useLiveTail(live, query)

  const onFilter = (field: string, value: string, negate: boolean) =>
    update({ query: addFilter(query, field, value, negate) })
  const onToggleColumn = (field: string) => {
    const cur = state.columns.length > 0 ? state.columns : ['_message']
    const next = cur.includes(field) ? cur.filter((c) => c !== field) : [...cur, field]
    update({ columns: next.length === 1 && next[0] === '_message' ? [] : next })
  }
  const onMoveColumn = (field: string) => {
    const cur = [...columns]
    const i = cur.indexOf(field)
    if (i > 0) [cur[i - 1], cur[i]] = [cur[i]!, cur[i - 1]!]
    update({ columns: cur })
  }

  const syntaxError =
    searchError instanceof ApiError && searchError.type === 'kql_syntax_error'
      ? { reason: searchError.message, position: searchError.position }
      : null
  const fieldNames = useMemo(() => fields.map((f) => f.name), [fields])
  const splitFields = useMemo(
    () =>
      [
        ...new Set([
          ...SPLIT_SUGGESTIONS.filter((f) => fieldNames.includes(f)),
          ...fieldNames.filter((f) => fields.find((x) => x.name === f)?.type === 'string'),
        ]),
      ].slice(0, 40),
    [fieldNames, fields],
  )
  const nf = new Intl.NumberFormat(locale)
  const d = describeRange({ from, to })

  return (
    <div className="explore">
      <div className="toolbar">
        <QueryBar
          query={query}
          from={from}
          to={to}
          fields={fieldNames}
          syntaxError={syntaxError}
          onSubmit={(q) => (q === query ? setNonce((n) => n + 1) : update({ query: q }))}
        />
        <TimePicker
          range={{ from, to }}
          refresh={state.refresh}
          onChange={(r) => update(r)}
          onRefreshChange={(refresh) => update({ refresh })}
        />
        <button
          type="button"
          className={`btn${live ? ' btn-live' : ''}`}
          aria-pressed={live}
          onClick={() => update({ live: !live })}
        >
          {live ? t('live.stop') : t('live.start')}
        </button>
        <CopyButton text={() => location.href} shown={t('share.copy')} done={t('share.copied')} className="btn" />
        <SavedSearches
          state={state}
          onOpen={(s) => update({ query: s.query, from: s.from, to: s.to, columns: s.columns, live: false })}
        />
      </div>
      {rangeError ? (
        <p className="field-error" role="alert">
          {t(rangeError as MessageKey)}
        </p>
      ) : null}
      <div className="explore-body">
        <FieldSidebar
          fields={fields}
          columns={state.columns}
          query={query}
          from={from}
          to={to}
          onFilter={onFilter}
          onToggleColumn={onToggleColumn}
        />
        <main className="results" id="content">
          {live ? (
            <>
              <div className="live-bar" role="status" aria-live="polite">
                <span className={`live-dot ${tail.paused ? 'paused' : tail.status}`} aria-hidden="true" />
                <span data-testid="live-status">
                  {tail.status === 'reconnecting'
                    ? t('live.reconnecting')
                    : tail.status === 'error'
                      ? `${t('state.error.title')}: ${tail.error ?? ''}`
                      : tail.paused
                        ? t('live.paused', { count: nf.format(tail.pending) })
                        : t('live.following')}
                </span>
                <span className="spacer" />
                <button type="button" className="btn" onClick={tail.paused ? tail.resume : tail.pause}>
                  {tail.paused ? t('live.resume') : t('live.pause')}
                </button>
              </div>
              {tail.trimmed > 0 ? (
                <p className="muted small">{t('live.trimmed', { count: nf.format(tail.rows.length) })}</p>
              ) : null}
              {tail.rows.length === 0 ? (
                <Empty title={t('live.waiting')} />
              ) : (
                <LogTable
                  rows={tail.rows}
                  columns={columns}
                  terms={terms}
                  sort="desc"
                  onFilter={onFilter}
                  onToggleColumn={onToggleColumn}
                  onMoveColumn={onMoveColumn}
                  onContext={setContextRow}
                />
              )}
            </>
          ) : (
            <>
              {hist && hist.buckets.length > 0 ? (
                <Histogram
                  data={hist}
                  split={split}
                  splitFields={splitFields}
                  onSplitChange={(s) => update({ split: s })}
                  onZoom={(a, b) => update(absoluteRange(a, b))}
                  onFilter={(f, v) => onFilter(f, v, false)}
                />
              ) : null}
              <div className="results-head">
                {results ? (
                  <span data-testid="hit-count">
                    <strong>
                      {t(results.atLeast ? 'results.countAtLeast' : 'results.count', {
                        count: nf.format(results.total),
                      })}
                    </strong>{' '}
                    <span className="muted small">{t('results.took', { ms: results.took })}</span>
                  </span>
                ) : null}
                {loading && results ? <span className="spinner" role="status" aria-label={t('state.loading')} /> : null}
              </div>
              {searchError && !syntaxError ? (
                <ErrorState error={searchError} onRetry={() => setNonce((n) => n + 1)} />
              ) : null}
              {loading && !results && !searchError ? <Loading /> : null}
              {results && results.total === 0 && results.rows.length === 0 ? (
                <Empty title={t('state.empty.title')}>
                  {t('state.empty.body', { range: t(d.key as MessageKey, d.values) })}
                </Empty>
              ) : null}
              {results && results.rows.length > 0 ? (
                <LogTable
                  rows={results.rows}
                  columns={columns}
                  terms={terms}
                  sort={sort}
                  onSortChange={(s) => update({ sort: s })}
                  onEndReached={loadMore}
                  onFilter={onFilter}
                  onToggleColumn={onToggleColumn}
                  onMoveColumn={onMoveColumn}
                  onContext={setContextRow}
                  footer={
                    <div className="table-foot muted small">
                      {loadingMore
                        ? t('results.loadingMore')
                        : results.rows.length >= MAX_ROWS && results.after
                          ? t('results.limit', { count: nf.format(MAX_ROWS) })
                          : !results.after
                            ? t('results.end')
                            : ''}
                    </div>
                  }
                />
              ) : null}
            </>
          )}
        </main>
      </div>
      {contextRow ? <ContextPanel anchor={contextRow} onClose={() => setContextRow(null)} /> : null}
    </div>
  )
}
