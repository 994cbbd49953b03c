// Which chart series a click landed on (dashboards click through to Explore with that series' query).
import type { Series } from './histogram-series.ts'

/**
 * The series under a point: for stacked bars the segment whose cumulative range holds `y`, for lines
 * the series whose value is nearest to `y`.
 */
export function pickSeries(series: Series[], kind: 'bars' | 'lines', idx: number, y: number): string | null {
  if (kind === 'bars') {
    let acc = 0
    for (const s of series) {
      acc += s.values[idx] ?? 0
      if (y <= acc) return s.label
    }
    return null
  }
  let best: string | null = null
  let dist = Number.POSITIVE_INFINITY
  for (const s of series) {
    const v = s.values[idx]
    if (v == null) continue
    if (Math.abs(v - y) < dist) {
      dist = Math.abs(v - y)
      best = s.label
    }
  }
  return best
}
