// A uPlot time chart: stacked bars (histograms) or lines (rates, metrics), with a legend and a hover
// readout that show the real values (stacked bars are drawn from cumulative sums), and drag-to-zoom.
import { useEffect, useRef, useState } from 'react'
import uPlot from 'uplot'
import { pickSeries } from '../lib/pick-series.ts'
import { useApp } from './app-context.tsx'
import { seriesColor } from './palette.ts'

export interface ChartSeries {
  label: string
  values: (number | null)[]
  color?: string
}

export interface ChartProps {
  /** x values in seconds */
  xs: number[]
  series: ChartSeries[]
  kind: 'bars' | 'lines'
  height?: number
  /** Called with the dragged range in epoch ms. */
  onZoom?: (fromMs: number, toMs: number) => void
  /** Makes legend entries buttons: the title to show for a series (null: not clickable) and the action. */
  legendTitle?: (label: string) => string | null
  onLegendClick?: (label: string) => void
  /** Called on a click (not a drag) with the series under the pointer and the x value (seconds). */
  onPick?: (label: string, xSec: number) => void
  formatValue?: (v: number) => string
  /** Join lines across empty buckets (when the data is sampled, empty buckets are not gaps). */
  spanGaps?: boolean
  ariaLabel: string
}

const COUNT_INCRS = Array.from({ length: 12 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat()

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888'
}

export function Chart(props: ChartProps) {
  const {
    xs,
    series,
    kind,
    height = 180,
    onZoom,
    onPick,
    formatValue,
    ariaLabel,
    legendTitle,
    onLegendClick,
    spanGaps,
  } = props
  const { theme, locale, utc } = useApp()
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const zoomRef = useRef(onZoom)
  zoomRef.current = onZoom
  const pickRef = useRef(onPick)
  pickRef.current = onPick
  const seriesRef = useRef(series)
  seriesRef.current = series
  const [hover, setHover] = useState<number | null>(null)
  const fmt = formatValue ?? ((v: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(v))
  const labelsKey = series.map((s) => s.label).join('\u0000')

  // Recreate when the set of series, the kind or the theme changes; data changes use setData below.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt only on these keys
  useEffect(() => {
    const el = box.current
    if (!el) return
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { show: false } }
    // Stacked bars: draw the top of the stack first so lower series paint over it.
    const order = kind === 'bars' ? series.map((_, i) => series.length - 1 - i) : series.map((_, i) => i)
    const bars = uPlot.paths.bars!({ size: [0.8, 40], gap: 1 })
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: false },
      // Tick positions in the chosen zone (uPlot places day/hour ticks by local time otherwise).
      ...(utc ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
      cursor: {
        drag: { x: !!zoomRef.current, y: false, setScale: false },
        points: { show: kind === 'lines' },
      },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
      axes: [
        { ...axis, space: 80, values: (_u, splits, _ax, _space, incr) => timeTicks(splits, incr, locale, utc) },
        {
          ...axis,
          size: 56,
          // Counts are whole numbers: no 0.5 ticks on histograms.
          ...(kind === 'bars' ? { incrs: COUNT_INCRS } : {}),
          values: (_u, vals) => vals.map((v) => (v == null ? '' : fmt(v))),
        },
      ],
      series: [
        {},
        ...order.map((i) => {
          const color = series[i]!.color ?? seriesColor(series[i]!.label, i)
          return kind === 'bars'
            ? { label: series[i]!.label, fill: color, stroke: color, width: 0, paths: bars, points: { show: false } }
            : { label: series[i]!.label, stroke: color, width: 1.5, spanGaps: !!spanGaps, points: { show: false } }
        }),
      ],
      hooks: {
        setSelect: [
          (u) => {
            const w = u.select.width
            if (w > 2 && zoomRef.current) {
              const a = u.posToVal(u.select.left, 'x')
              const b = u.posToVal(u.select.left + w, 'x')
              zoomRef.current(a * 1000, b * 1000)
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
          },
        ],
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
      },
    }
    const u = new uPlot(opts, chartData(xs, series, kind, order), el)
    plot.current = u
    // A click (the pointer did not move, so it is not a zoom drag) picks the series under the pointer.
    let downAt = -1
    const onDown = (e: MouseEvent) => {
      downAt = e.clientX
    }
    const onClick = (e: MouseEvent) => {
      const idx = u.cursor.idx
      if (!pickRef.current || idx == null || Math.abs(e.clientX - downAt) > 3) return
      const label = pickSeries(seriesRef.current, kind, idx, u.posToVal(u.cursor.top ?? 0, 'y'))
      if (label !== null) pickRef.current(label, u.data[0][idx]!)
    }
    u.over.addEventListener('mousedown', onDown)
    u.over.addEventListener('click', onClick)
    if (pickRef.current) u.over.style.cursor = 'pointer'
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }))
    ro.observe(el)
    return () => {
      ro.disconnect()
      u.destroy()
      plot.current = null
    }
  }, [labelsKey, kind, theme, height, locale, spanGaps, utc])

  useEffect(() => {
    const order = kind === 'bars' ? series.map((_, i) => series.length - 1 - i) : series.map((_, i) => i)
    plot.current?.setData(chartData(xs, series, kind, order))
  }, [xs, series, kind])

  const idx = hover ?? null
  return (
    <figure className="chart" aria-label={ariaLabel}>
      <div ref={box} className="chart-plot" />
      <figcaption className="chart-legend">
        {idx != null && xs[idx] != null ? (
          <span className="chart-time">
            {new Date(xs[idx]! * 1000).toLocaleString(locale, utc ? { timeZone: 'UTC' } : undefined)}
          </span>
        ) : null}
        {series.map((s, i) => {
          const inner = (
            <>
              <span className="swatch" style={{ background: s.color ?? seriesColor(s.label, i) }} />
              {s.label}
              {idx != null && s.values[idx] != null ? <b>{fmt(s.values[idx]!)}</b> : null}
            </>
          )
          const label = legendTitle?.(s.label)
          return label && onLegendClick ? (
            <button
              key={s.label}
              type="button"
              className="legend-item link"
              title={label}
              onClick={() => onLegendClick(s.label)}
            >
              {inner}
            </button>
          ) : (
            <span key={s.label} className="legend-item">
              {inner}
            </span>
          )
        })}
      </figcaption>
    </figure>
  )
}

/** Axis labels in the UI's locale: dates for day steps, hours and minutes below, seconds below a minute. */
function timeTicks(splits: number[], incrSec: number, locale: string, utc: boolean): string[] {
  const timeZone = utc ? 'UTC' : undefined
  const opts: Intl.DateTimeFormatOptions =
    incrSec >= 86_400
      ? { month: 'short', day: 'numeric', timeZone }
      : incrSec >= 60
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }
        : { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone }
  const fmt = new Intl.DateTimeFormat(locale, opts)
  const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone })
  let lastDay = ''
  return splits.map((s) => {
    const d = new Date(s * 1000)
    const text = fmt.format(d)
    if (incrSec >= 86_400) return text
    // Show the date under the first tick of each day, as uPlot does, so ranges over midnight read right.
    const dd = day.format(d)
    const out = dd !== lastDay ? `${text}\n${dd}` : text
    lastDay = dd
    return out
  })
}

function chartData(xs: number[], series: ChartSeries[], kind: 'bars' | 'lines', order: number[]): uPlot.AlignedData {
  if (kind === 'lines') return [xs, ...order.map((i) => series[i]!.values)] as uPlot.AlignedData
  const cum: number[][] = []
  let acc = xs.map(() => 0)
  for (const s of series) {
    acc = acc.map((a, j) => a + (s.values[j] ?? 0))
    cum.push(acc)
  }
  return [xs, ...order.map((i) => cum[i]!)] as uPlot.AlignedData
}
