// Histogram buckets (API.md /api/histogram) → chart series: one per split value in order of total
// count, the server's "__other__" bucket last.
import type { HistogramResponse } from './api.ts'

export interface Series {
  label: string
  values: (number | null)[]
  color?: string
}

/** Turns buckets into one series per split value (in order of total count), or one series of counts. */
export function histogramSeries(
  h: HistogramResponse,
  otherLabel: string,
  totalLabel: string,
  noneLabel = '',
): { xs: number[]; series: Series[] } {
  const xs = h.buckets.map((b) => b.t / 1000)
  const hasSplit = h.buckets.some((b) => b.split)
  if (!hasSplit) return { xs, series: [{ label: totalLabel, values: h.buckets.map((b) => b.count), color: '#3a87d9' }] }
  const totals = new Map<string, number>()
  // Records without the split field are in `count` but in no split value: they become their own series
  // (otherwise they would vanish from the chart).
  const none = h.buckets.map((b) => Math.max(0, b.count - Object.values(b.split ?? {}).reduce((a, v) => a + v, 0)))
  for (const b of h.buckets) for (const [k, v] of Object.entries(b.split ?? {})) totals.set(k, (totals.get(k) ?? 0) + v)
  const noneTotal = none.reduce((a, v) => a + v, 0)
  const keys = [...totals.keys()].sort((a, b) => {
    if (a === '__other__') return 1
    if (b === '__other__') return -1
    return totals.get(b)! - totals.get(a)!
  })
  const series: Series[] = keys.map((k) => ({
    label: k === '__other__' ? otherLabel : k,
    values: h.buckets.map((b) => b.split?.[k] ?? 0),
    color: k === '__other__' ? '#9aa3b5' : undefined,
  }))
  if (noneTotal > 0) series.push({ label: noneLabel, values: none, color: '#c5cad3' })
  return { xs, series }
}
