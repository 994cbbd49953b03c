// Pipeline health from /api/stats: what was ingested, from which source and agent, what failed.
import { api } from '../lib/api.ts'
import { formatBytes } from '../lib/format.ts'
import { quoteValue } from '../lib/kql-text.ts'
import { exploreUrl } from '../lib/url-state.ts'
import { useApp } from './app-context.tsx'
import { BarList, Panel } from './panel.tsx'
import { ErrorState, Loading } from './states.tsx'
import { useAsync } from './use-async.ts'
import { navigateTo } from './use-url-state.ts'

export function Pipeline({ from, to, tick }: { from: string; to: string; tick: number }) {
  const { t, locale, utc } = useApp()
  const stats = useAsync((signal) => api.stats(signal), [tick])
  if (stats.error && !stats.data) return <ErrorState error={stats.error} onRetry={stats.reload} />
  if (!stats.data) return <Loading />
  const s = stats.data
  const nf = new Intl.NumberFormat(locale)
  const dead = s.ingest.dead_lettered_total ?? s.dead_letter?.records_total
  const tiles: { label: string; value: string; bad?: boolean }[] = [
    { label: t('dash.pipeline.records'), value: nf.format(s.records_total) },
    { label: t('dash.pipeline.disk'), value: formatBytes(s.bytes_on_disk) },
    { label: t('dash.pipeline.ingested'), value: nf.format(s.ingest.records_total) },
    { label: t('dash.pipeline.errors'), value: nf.format(s.ingest.errors_total), bad: s.ingest.errors_total > 0 },
    {
      label: t('dash.pipeline.deadLetters'),
      value: dead === undefined ? t('dash.pipeline.unknown') : nf.format(dead),
      bad: (dead ?? 0) > 0,
    },
  ]
  return (
    <div className="dash-grid">
      <section className="tiles wide" aria-label={t('dash.pipeline.title')}>
        {tiles.map((x) => (
          <div key={x.label} className={`tile${x.bad ? ' bad' : ''}`}>
            <span className="tile-label">{x.label}</span>
            <span className="tile-value">{x.value}</span>
          </div>
        ))}
      </section>
      <Panel title={t('dash.pipeline.bySource')} from={from} to={to}>
        <BarList
          items={Object.entries(s.ingest.by_source).map(([label, count]) => ({ label, count }))}
          from={from}
          to={to}
          locale={locale}
        />
      </Panel>
      <Panel title={t('dash.pipeline.agents')} from={from} to={to}>
        {s.agents.length === 0 ? (
          <p className="muted">{t('dash.pipeline.noAgents')}</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('dash.pipeline.agent')}</th>
                <th className="num">{t('dash.pipeline.ingested')}</th>
                <th>{t('dash.pipeline.lastSeen')}</th>
              </tr>
            </thead>
            <tbody>
              {s.agents.map((a) => (
                <tr key={a.name}>
                  <td>{a.name}</td>
                  <td className="num">{nf.format(a.records_total)}</td>
                  <td>{new Date(a.last_seen).toLocaleString(locale, utc ? { timeZone: 'UTC' } : undefined)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title={t('dash.pipeline.indices')} from={from} to={to} wide>
        <table className="data-table">
          <thead>
            <tr>
              <th>{t('dash.pipeline.index')}</th>
              <th className="num">{t('dash.pipeline.docs')}</th>
              <th className="num">{t('dash.pipeline.size')}</th>
            </tr>
          </thead>
          <tbody>
            {s.indices.map((i) => (
              <tr key={i.index}>
                <td>
                  <a
                    href={exploreUrl(`_index: ${quoteValue(i.index)}`, from, to)}
                    onClick={(e) => {
                      e.preventDefault()
                      navigateTo(exploreUrl(`_index: ${quoteValue(i.index)}`, from, to))
                    }}
                  >
                    {i.index}
                  </a>
                </td>
                <td className="num">{nf.format(i.docs)}</td>
                <td className="num">{formatBytes(i.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  )
}
