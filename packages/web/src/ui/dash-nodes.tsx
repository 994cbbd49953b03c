// Node metrics from the agent's cpu, mem, disk and netif inputs: per node, averaged per time bucket.
import { api, type SearchResponse } from '../lib/api.ts'
import { formatBytes } from '../lib/format.ts'
import { bucketMetric, interfacesOf, memPercent, niceBucket } from '../lib/metrics.ts'
import { resolveRange } from '../lib/time-range.ts'
import type { UrlState } from '../lib/url-state.ts'
import { useApp } from './app-context.tsx'
import { Chart } from './chart.tsx'
import { Panel } from './panel.tsx'
import { Empty, ErrorState, Loading } from './states.tsx'
import { useAsync } from './use-async.ts'

const SAMPLES = 10_000

export function NodeMetrics({ state, tick }: { state: UrlState; tick: number }) {
  const { t, locale } = useApp()
  const { from, to } = state
  const data = useAsync(
    async (signal) => {
      const now = Date.now()
      const range = resolveRange({ from, to }, now)
      if ('error' in range) throw new Error(t(range.error as 'time.error.format'))
      // Metric records are found by the fields their input writes (works whatever the index is named).
      const get = (query: string) => api.search({ query, from, to, size: SAMPLES, sort: 'asc' }, signal)
      const fields = await api.fields({ from, to }, signal)
      const ifaces = interfacesOf(fields.fields.map((f) => f.name))
      const [cpu, mem, disk, ...net] = await Promise.all([
        get('cpu_p: *'),
        get('Mem.total: *'),
        get('read_size: * or write_size: *'),
        ...ifaces.map((i) => get(`${i}.rx.bytes: *`)),
      ])
      return { range, cpu: cpu!, mem: mem!, disk: disk!, net: net as SearchResponse[], ifaces }
    },
    [from, to, tick],
  )
  if (data.error && !data.data) return <ErrorState error={data.error} onRetry={data.reload} />
  if (!data.data) return <Loading />
  const { range, cpu, mem, disk, net, ifaces } = data.data
  const samples = cpu.hits.length + mem.hits.length + disk.hits.length + net.reduce((a, n) => a + n.hits.length, 0)
  if (samples === 0) return <Empty title={t('state.noData.title')}>{t('dash.nodes.empty')}</Empty>
  const bucket = niceBucket(range.toMs - range.fromMs)
  const series = (r: SearchResponse, f: Parameters<typeof bucketMetric>[1]) =>
    bucketMetric(r.hits, f, range.fromMs, range.toMs, bucket)
  const pct = (v: number) => `${v.toFixed(1)}%`
  const nf = new Intl.NumberFormat(locale)
  const charts: { title: string; query: string; data: ReturnType<typeof series>; fmt?: (v: number) => string }[] = [
    { title: t('dash.nodes.cpu'), query: 'cpu_p: *', data: series(cpu, 'cpu_p'), fmt: pct },
    { title: t('dash.nodes.memory'), query: 'Mem.total: *', data: series(mem, memPercent), fmt: pct },
    { title: t('dash.nodes.swap'), query: 'Swap.used: *', data: series(mem, 'Swap.used') },
    { title: t('dash.nodes.diskRead'), query: 'read_size: *', data: series(disk, 'read_size'), fmt: formatBytes },
    { title: t('dash.nodes.diskWrite'), query: 'write_size: *', data: series(disk, 'write_size'), fmt: formatBytes },
    ...ifaces.flatMap((iface, i) => [
      {
        title: t('dash.nodes.netRx', { iface }),
        query: `${iface}.rx.bytes: *`,
        data: series(net[i]!, `${iface}.rx.bytes`),
        fmt: formatBytes,
      },
      {
        title: t('dash.nodes.netTx', { iface }),
        query: `${iface}.tx.bytes: *`,
        data: series(net[i]!, `${iface}.tx.bytes`),
        fmt: formatBytes,
      },
    ]),
  ]
  return (
    <>
      <p className="muted small">{t('dash.nodes.sampled', { count: nf.format(samples) })}</p>
      <div className="dash-grid">
        {charts
          .filter((c) => c.data.series.length > 0)
          .map((c) => (
            <Panel key={c.title} title={c.title} query={c.query} from={from} to={to}>
              <Chart
                xs={c.data.xs}
                series={c.data.series}
                kind="lines"
                height={180}
                ariaLabel={c.title}
                formatValue={c.fmt}
              />
            </Panel>
          ))}
      </div>
    </>
  )
}
