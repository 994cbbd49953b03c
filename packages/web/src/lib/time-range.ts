// Time bounds as the query API takes them (see API.md): ISO 8601 or Elasticsearch date math relative to
// now (`now-15m`, `now-1d/d`, `now`). The UI keeps the user's text (so "last 15 minutes" stays relative
// when a URL is reloaded) and resolves it to epoch milliseconds only to draw charts.

export interface TimeRange {
  from: string
  to: string
}

export const DEFAULT_RANGE: TimeRange = { from: 'now-15m', to: 'now' }

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
}

/** Quick relative ranges offered by the time picker; `key` names the catalogue label. */
export const QUICK_RANGES: { from: string; key: string }[] = [
  { from: 'now-5m', key: 'time.quick.5m' },
  { from: 'now-15m', key: 'time.quick.15m' },
  { from: 'now-30m', key: 'time.quick.30m' },
  { from: 'now-1h', key: 'time.quick.1h' },
  { from: 'now-4h', key: 'time.quick.4h' },
  { from: 'now-12h', key: 'time.quick.12h' },
  { from: 'now-24h', key: 'time.quick.24h' },
  { from: 'now-7d', key: 'time.quick.7d' },
  { from: 'now-30d', key: 'time.quick.30d' },
]

export const REFRESH_INTERVALS = ['off', '5s', '10s', '30s', '1m', '5m', '15m'] as const

const MATH_RE = /^now(?:([+-])(\d+)([smhdwMy]))?(?:\/([smhdwMy]))?$/

/**
 * Parses one bound to epoch ms. Date math follows Elasticsearch's grammar (now, now±N<unit>, optional
 * /<unit> rounding down); anything else must be an ISO 8601 date. Returns an error message key instead
 * of throwing so the picker can show it beside the input.
 */
export function parseTime(text: string, nowMs: number): { ms: number } | { error: string } {
  const s = text.trim()
  if (s === '') return { error: 'time.error.empty' }
  const m = MATH_RE.exec(s)
  if (m) {
    let d = new Date(nowMs)
    if (m[1]) {
      const n = Number(m[2]) * (m[1] === '-' ? -1 : 1)
      d = addUnit(d, n, m[3]!)
    }
    if (m[4]) d = roundDown(d, m[4])
    return { ms: d.getTime() }
  }
  // ISO 8601: a date, or a date and time; `Date.parse` also accepts RFC 2822 and other forms that users
  // did not mean, so require the ISO shape first.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    return { error: 'time.error.format' }
  }
  const ms = Date.parse(s.replace(' ', 'T'))
  if (Number.isNaN(ms)) return { error: 'time.error.format' }
  return { ms }
}

function addUnit(d: Date, n: number, unit: string): Date {
  const r = new Date(d.getTime())
  if (unit === 'M') r.setMonth(r.getMonth() + n)
  else if (unit === 'y') r.setFullYear(r.getFullYear() + n)
  else r.setTime(r.getTime() + n * UNIT_MS[unit]!)
  return r
}

function roundDown(d: Date, unit: string): Date {
  const r = new Date(d.getTime())
  switch (unit) {
    case 'y':
      r.setMonth(0, 1)
      r.setHours(0, 0, 0, 0)
      break
    case 'M':
      r.setDate(1)
      r.setHours(0, 0, 0, 0)
      break
    case 'w': {
      // ISO weeks start on Monday.
      const day = (r.getDay() + 6) % 7
      r.setDate(r.getDate() - day)
      r.setHours(0, 0, 0, 0)
      break
    }
    case 'd':
      r.setHours(0, 0, 0, 0)
      break
    case 'h':
      r.setMinutes(0, 0, 0)
      break
    case 'm':
      r.setSeconds(0, 0)
      break
    case 's':
      r.setMilliseconds(0)
      break
  }
  return r
}

/** Resolves both bounds; the range is invalid when a bound does not parse or `from` is after `to`. */
export function resolveRange(
  range: TimeRange,
  nowMs: number,
): { fromMs: number; toMs: number } | { error: string; bound: 'from' | 'to' } {
  const f = parseTime(range.from, nowMs)
  if ('error' in f) return { error: f.error, bound: 'from' }
  const t = parseTime(range.to, nowMs)
  if ('error' in t) return { error: t.error, bound: 'to' }
  if (f.ms > t.ms) return { error: 'time.error.order', bound: 'from' }
  return { fromMs: f.ms, toMs: t.ms }
}

/** Duration in ms of a refresh interval such as `10s` or `1m`; 0 for `off` or anything unknown. */
export function intervalMs(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text)
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : 0
}

/** The catalogue key and values that describe a range to people ("Last 15 minutes"). */
export function describeRange(range: TimeRange): { key: string; values?: Record<string, string | number> } {
  const quick = QUICK_RANGES.find((q) => q.from === range.from)
  if (quick && range.to === 'now') return { key: quick.key }
  const m = /^now-(\d+)([smhdwMy])$/.exec(range.from)
  if (m && range.to === 'now') return { key: `time.last.${m[2]}`, values: { n: Number(m[1]) } }
  return { key: 'time.absolute', values: { from: range.from, to: range.to } }
}

/** An absolute range as ISO strings, used when the user zooms into the histogram. */
export function absoluteRange(fromMs: number, toMs: number): TimeRange {
  return { from: new Date(Math.floor(fromMs)).toISOString(), to: new Date(Math.ceil(toMs)).toISOString() }
}
