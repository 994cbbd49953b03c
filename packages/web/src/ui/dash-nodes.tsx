// Node metrics from the agent's cpu, mem, disk and netif inputs: per node, averaged per time bucket.
import { api } from '../lib/api.ts'
import { formatBytes } from '../lib/format.ts'
import type { Hit } from '../lib/hit.ts'
import { bucketMetric, interfacesOf, memPercent, niceBucket, sampleSlices } from '../lib/metrics.ts'
import { resolveRange } from '../lib/time-range.ts'
import type { UrlState } from '../lib/url-state.ts'
import { useApp } from './app-context.tsx'
import { Chart } from './chart.tsx'
import { Panel } from './panel.tsx'
import { Empty, ErrorState, Loading } from './states.tsx'
import { useAsync } from './use-async.ts'

const SAMPLES = 10_000
const SLICES = 20

export function NodeMetrics({ state, tick }: { state: UrlState; tick: number }) {
  const { t, locale } = useApp()
  const { from, to } = state
  const data = useAsync(
    async (signal) => {
      const now = Date.now()
      const range = resolveRange({ from, to }, now)
      if ('error' in range) throw new Error(t(range.error as 'time.error.format'))
      // Metric records are found by the fields their input writes (works whatever the index is named).
      const abs = { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() }
      let sampled = false
      const get = async (query: string): Promise<Hit[]> => {
        const all = await api.search({ query, ...abs, size: SAMPLES, sort: 'asc' }, signal)
        if (all.total_relation !== 'gte' && all.hits.length >= all.total) return all.hits
        // More samples than one request returns (many nodes, long range): take an even share from
        // each slice of the range, so the whole range is drawn instead of only its beginning.
        sampled = true
        const parts = await Promise.all(
          sampleSlices(range.fromMs, range.toMs, SLICES).map((s) =>
            api.search({ query, ...s, size: Math.floor(SAMPLES / SLICES), sort: 'desc' }, signal),
          ),
        )
        return parts.flatMap((p) => p.hits)
      }
      const fields = await api.fields({ from, to }, signal)
      const ifaces = interfacesOf(fields.fields.map((f) => f.name))
      const [cpu, mem, disk, ...net] = await Promise.all([
        get('cpu_p: *'),
        get('Mem.total: *'),
        get('read_size: * or write_size: *'),
        ...ifaces.map((i) => get(`${i}.rx.bytes: *`)),
      ])
      return { range, cpu: cpu!, mem: mem!, disk: disk!, net, ifaces, sampled }
    },
    [from, to, tick],
  )
  if (data.error && !data.data) return <ErrorState error={data.error} onRetry={data.reload} />
  if (!data.data) return <Loading />
  const { range, cpu, mem, disk, net, ifaces, sampled } = data.data
  const samples = cpu.length + mem.length + disk.length + net.reduce((a, n) => a + n.length, 0)
  if (samples === 0) return <Empty title={t('state.noData.title')}>{t('dash.nodes.empty')}</Empty>
  const bucket = niceBucket(range.toMs - range.fromMs)
  const series = (hits: Hit[], f: Parameters<typeof bucketMetric>[1]) =>
    bucketMetric(hits, f, range.fromMs, range.toMs, bucket)
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
                spanGaps={sampled}
              />
            </Panel>
          ))}
      </div>
    </>
  )
}
