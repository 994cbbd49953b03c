// Kubernetes overview: volume and error rate per namespace, top pods, top error messages, newest
// errors. Every panel opens Explore with the query behind it.
import { useRef } from 'react'
import { api } from '../lib/api.ts'
import { histogramSeries } from '../lib/histogram-series.ts'
import { quoteValue } from '../lib/kql-text.ts'
import { ratePercent } from '../lib/metrics.ts'
import { RowModelCache } from '../lib/row-model.ts'
import { absoluteRange } from '../lib/time-range.ts'
import { exploreUrl, type UrlState } from '../lib/url-state.ts'
import { useApp } from './app-context.tsx'
import { Chart } from './chart.tsx'
import { BarList, Panel } from './panel.tsx'
import { Empty, ErrorState, Loading } from './states.tsx'
import { useAsync } from './use-async.ts'
import { navigateTo } from './use-url-state.ts'

const NS = 'kubernetes.namespace_name'
const POD = 'kubernetes.pod_name'
/** Records at error level or worse, however the application spells the level. */
export const ERROR_QUERY = 'level: (error or ERROR or Error or err or fatal or FATAL or critical or CRITICAL)'

export function Overview({ state, tick }: { state: UrlState; tick: number }) {
  const { t, locale } = useApp()
  const { from, to } = state
  const cache = useRef(new RowModelCache()).current
  const data = useAsync(
    async (signal) => {
      const [volume, errors, pods, fields, newest] = await Promise.all([
        api.histogram({ query: `${NS}: *`, from, to, split: NS, splitSize: 8 }, signal),
        api.histogram({ query: `${NS}: * and ${ERROR_QUERY}`, from, to, split: NS, splitSize: 8 }, signal),
        api.fieldValues({ field: POD, from, to, size: 10 }, signal),
        api.fields({ from, to }, signal),
        api.search({ query: ERROR_QUERY, from, to, size: 15, sort: 'desc' }, signal),
      ])
      const msgField = ['message', 'log', 'msg'].find((f) => fields.fields.some((x) => x.name === f)) ?? 'message'
      const topErrors = await api.fieldValues({ field: msgField, query: ERROR_QUERY, from, to, size: 10 }, signal)
      return { volume, errors, pods, newest, topErrors, msgField }
    },
    [from, to, tick],
  )
  if (data.error && !data.data) return <ErrorState error={data.error} onRetry={data.reload} />
  if (!data.data) return <Loading />
  const { volume, errors, pods, newest, topErrors, msgField } = data.data
  const newestRows = cache.rows(newest.hits)
  cache.prune(newestRows)
  const vol = histogramSeries(volume, t('hist.other'), t('hist.count'))
  // Error rate per namespace = errors / all records, per bucket; namespaces outside both top lists are
  // folded into "other" by the server and are left out here.
  const errBy = new Map(histogramSeries(errors, t('hist.other'), '').series.map((s) => [s.label, s.values as number[]]))
  const rate = {
    xs: vol.xs,
    series: vol.series
      .filter((s) => s.label !== t('hist.other'))
      .map((s) => {
        const errs = errBy.get(s.label) ?? []
        const byT = new Map(errors.buckets.map((b, i) => [b.t, errs[i] ?? 0]))
        return {
          label: s.label,
          values: ratePercent(
            volume.buckets.map((b) => byT.get(b.t) ?? 0),
            s.values as number[],
          ),
        }
      }),
  }
  const total = volume.buckets.reduce((a, b) => a + b.count, 0)
  if (total === 0) return <Empty title={t('state.noData.title')}>{t('dash.overview.empty')}</Empty>
  // A click on a chart opens Explore on that series for that time bucket.
  const openBucket = (q: string, xSec: number) => {
    const r = absoluteRange(xSec * 1000, xSec * 1000 + volume.intervalMs)
    navigateTo(exploreUrl(q, r.from, r.to))
  }
  return (
    <div className="dash-grid">
      <Panel title={t('dash.overview.volume')} query={`${NS}: *`} from={from} to={to} wide>
        <Chart
          xs={vol.xs}
          series={vol.series}
          kind="bars"
          height={200}
          ariaLabel={t('dash.overview.volume')}
          onPick={(label, x) => openBucket(label === t('hist.other') ? `${NS}: *` : `${NS}: ${quoteValue(label)}`, x)}
        />
      </Panel>
      <Panel title={t('dash.overview.errorRate')} query={ERROR_QUERY} from={from} to={to} wide>
        <Chart
          xs={rate.xs}
          series={rate.series}
          kind="lines"
          height={200}
          ariaLabel={t('dash.overview.errorRate')}
          formatValue={(v) => `${v.toFixed(1)}%`}
          onPick={(label, x) => openBucket(`${NS}: ${quoteValue(label)} and ${ERROR_QUERY}`, x)}
        />
      </Panel>
      <Panel title={t('dash.overview.topPods')} query={`${POD}: *`} from={from} to={to}>
        <BarList
          items={pods.values.map((v) => ({ label: String(v.value), count: v.count }))}
          from={from}
          to={to}
          locale={locale}
          queryOf={(l) => `${POD}: ${quoteValue(l)}`}
        />
      </Panel>
      <Panel title={t('dash.overview.topErrors')} query={ERROR_QUERY} from={from} to={to}>
        {topErrors.values.length === 0 ? (
          <p className="muted">{t('dash.overview.noErrors')}</p>
        ) : (
          <BarList
            items={topErrors.values.map((v) => ({ label: String(v.value), count: v.count }))}
            from={from}
            to={to}
            locale={locale}
            queryOf={(l) => `${ERROR_QUERY} and ${msgField}: ${quoteValue(l)}`}
          />
        )}
      </Panel>
      <Panel title={t('dash.overview.newestErrors')} query={ERROR_QUERY} from={from} to={to} wide>
        {newest.hits.length === 0 ? (
          <p className="muted">{t('dash.overview.noErrors')}</p>
        ) : (
          <ul className="newest">
            {newestRows.map((r) => {
              const pod = r.cell(POD)
              const q = pod ? `${ERROR_QUERY} and ${POD}: ${quoteValue(pod)}` : ERROR_QUERY
              const href = exploreUrl(q, from, to)
              return (
                <li key={r.id} className={`level-${r.level || 'none'}`}>
                  <a
                    className="newest-link"
                    href={href}
                    onClick={(e) => {
                      e.preventDefault()
                      navigateTo(href)
                    }}
                  >
                    <span className="cell-time">{r.time}</span>
                    <span className="newest-src">
                      {r.cell(NS)}
                      {pod ? ` / ${pod}` : ''}
                    </span>
                    <span className="newest-msg">{r.message}</span>
                  </a>
                </li>
              )
            })}
          </ul>
        )}
      </Panel>
    </div>
  )
}
