// Node metrics come as records from Fluent Bit's cpu, mem, disk and netif inputs (one record per node
// per interval; disk and netif report the change since the previous sample). The query API counts
// records but does not average fields, so the Node metrics dashboard fetches the samples and averages
// them per node and time bucket here.
import { flatten, type Hit } from './hit.ts'

/** Fields naming the node a metric record came from, in order of preference. */
export const NODE_FIELDS = ['host', 'hostname', 'kubernetes.host', 'node', 'node_name', 'agent', 'agent_name']

export function nodeOf(flat: Record<string, unknown>): string {
  for (const f of NODE_FIELDS) {
    const v = flat[f]
    if (typeof v === 'string' && v !== '') return v
  }
  return typeof flat._index === 'string' ? flat._index : ''
}

export interface MetricSeries {
  /** Bucket start times in seconds (uPlot's x unit). */
  xs: number[]
  series: { label: string; values: (number | null)[] }[]
}

/**
 * Averages `field` per node per bucket of `bucketMs` between fromMs and toMs. Records without a numeric
 * value for the field are skipped; empty buckets are null so the chart shows a gap, not a false zero.
 */
export function bucketMetric(
  hits: Hit[],
  field: string | ((flat: Record<string, unknown>) => unknown),
  fromMs: number,
  toMs: number,
  bucketMs: number,
  scale = 1,
): MetricSeries {
  const n = Math.max(1, Math.ceil((toMs - fromMs) / bucketMs))
  const start = Math.floor(fromMs / bucketMs) * bucketMs
  const xs = Array.from({ length: n + 1 }, (_, i) => (start + i * bucketMs) / 1000)
  const sums = new Map<string, { sum: Float64Array; cnt: Uint32Array }>()
  for (const hit of hits) {
    const flat = flatten(hit)
    const v = typeof field === 'string' ? flat[field] : field(flat)
    const num = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
    if (!Number.isFinite(num)) continue
    const t = Date.parse(hit['@timestamp'])
    const i = Math.floor((t - start) / bucketMs)
    if (!(i >= 0 && i <= n)) continue
    const node = nodeOf(flat)
    let acc = sums.get(node)
    if (!acc) sums.set(node, (acc = { sum: new Float64Array(n + 1), cnt: new Uint32Array(n + 1) }))
    acc.sum[i]! += num
    acc.cnt[i]! += 1
  }
  const series = [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, acc]) => ({
      label,
      values: Array.from(acc.sum, (s, i) => (acc.cnt[i]! > 0 ? (s / acc.cnt[i]!) * scale : null)),
    }))
  return { xs, series }
}

/** Memory used as a percentage of total, from Fluent Bit's mem input (`Mem.used`, `Mem.total` in KB). */
export function memPercent(flat: Record<string, unknown>): number | undefined {
  const used = Number(flat['Mem.used'])
  const total = Number(flat['Mem.total'])
  return total > 0 && Number.isFinite(used) ? (used / total) * 100 : undefined
}

/** Network interfaces present in metric records (`eth0` from `eth0.rx.bytes`). */
export function interfacesOf(fieldNames: string[]): string[] {
  const out = new Set<string>()
  for (const f of fieldNames) {
    const m = /^(.+)\.(rx|tx)\.bytes$/.exec(f)
    if (m) out.add(m[1]!)
  }
  return [...out].sort()
}

/** Bucket size giving about `target` points over a range, rounded to a readable step. */
export function niceBucket(rangeMs: number, target = 60): number {
  const steps = [10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3]
  const raw = rangeMs / target
  return steps.find((s) => s >= raw) ?? steps.at(-1)!
}

/**
 * Error rate per series: errors[i] / totals[i] as a percentage per bucket, null where there was no
 * traffic (a rate of nothing is unknown, not zero).
 */
export function ratePercent(errors: number[], totals: number[]): (number | null)[] {
  return totals.map((t, i) => (t > 0 ? ((errors[i] ?? 0) / t) * 100 : null))
}

/**
 * Splits [fromMs, toMs] into `n` equal, adjoining slices (ISO bounds), for sampling a range evenly when
 * it holds more records than one request returns.
 */
export function sampleSlices(fromMs: number, toMs: number, n: number): { from: string; to: string }[] {
  const step = (toMs - fromMs) / n
  return Array.from({ length: n }, (_, i) => ({
    from: new Date(Math.round(fromMs + i * step)).toISOString(),
    to: new Date(i === n - 1 ? toMs : Math.round(fromMs + (i + 1) * step)).toISOString(),
  }))
}
