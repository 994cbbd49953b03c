// Timestamps in the store are microseconds since the Unix epoch (DuckDB TIMESTAMP precision).

const DAY_US = 86_400_000_000

/** `YYYY-MM-DD` (UTC) of a timestamp in microseconds. */
export function dayOf(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 10)
}

/** Start of the UTC day containing `us`, in microseconds. */
export function dayStartUs(us: number): number {
  return Math.floor(us / DAY_US) * DAY_US
}

export const DAY_MICROS = DAY_US

/**
 * The `YYYY-MM-DDTHH:MM:SS` parsed last by parseIsoMicros's fast path (at first a text no time starts
 * with), and its epoch milliseconds.
 */
let lastSecondText = '\u0000'
let lastSecondMs = 0

/** A flat copy of a short string (a slice shares its parent's characters, keeping the parent alive). */
function copyOf(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1')
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * Parses an ISO 8601 date-time (fraction up to nanoseconds, kept to microseconds) into epoch
 * microseconds; undefined when it is not one. A time without zone is UTC, as Elasticsearch reads it.
 */
export function parseIsoMicros(text: string): number | undefined {
  // fast path: `2026-11-22T07:40:00.123Z`, what Fluent Bit, Filebeat and Vector send. Documents of a
  // request mostly share their second: its `YYYY-MM-DDTHH:MM:SS` is compared with the last one parsed
  // and only the milliseconds are read (Date.parse cost ≈0.2 µs a document).
  if (text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(10) === 84 && text.charCodeAt(19) === 46) {
    const a = text.charCodeAt(20) - 48
    const b = text.charCodeAt(21) - 48
    const c = text.charCodeAt(22) - 48
    if (a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9) {
      const millis = a * 100 + b * 10 + c
      if (text.startsWith(lastSecondText)) return (lastSecondMs + millis) * 1000
      const ms = Date.parse(text)
      if (!Number.isNaN(ms)) {
        // a copy, not a slice: a slice would keep the whole document text alive
        lastSecondText = copyOf(text.slice(0, 19))
        lastSecondMs = ms - millis
        return ms * 1000
      }
    }
  }
  const m = ISO.exec(text.trim())
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (Number.isNaN(ms)) return undefined
  if (zone !== 'Z' && zone !== 'z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!
    const off = (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000
    ms -= z[1] === '+' ? off : -off
  }
  const micros = frac ? Number(frac.padEnd(6, '0').slice(0, 6)) : 0
  return ms * 1000 + micros
}

/** ISO 8601 UTC with milliseconds, or microseconds when they are not zero. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000)
  const base = new Date(ms).toISOString()
  const rest = us - ms * 1000
  if (rest === 0) return base
  return `${base.slice(0, 23)}${String(rest).padStart(3, '0')}Z`
}

/**
 * A time bound as the query API accepts it: ISO 8601, epoch milliseconds, or Elasticsearch date
 * math relative to now (`now`, `now-15m`, `now-24h`, `now+1d`, `now-1d/d`). Units: s m h d w M y.
 */
export function parseTimeBound(text: unknown, nowMs = Date.now()): number | undefined {
  if (typeof text === 'number' && Number.isFinite(text)) return Math.floor(text * 1000)
  if (typeof text !== 'string') return undefined
  const t = text.trim()
  if (/^\d{10,}$/.test(t)) return Number(t) * 1000
  const rel = /^now((?:[+-]\d+[smhdwMy])*)(?:\/([smhdwMy]))?$/.exec(t)
  if (rel) {
    let ms = nowMs
    for (const part of rel[1]!.match(/[+-]\d+[smhdwMy]/g) ?? []) {
      const n = Number(part.slice(1, -1)) * (part[0] === '-' ? -1 : 1)
      const unit = part.at(-1)!
      if (unit === 'M' || unit === 'y') {
        const d = new Date(ms)
        if (unit === 'M') d.setUTCMonth(d.getUTCMonth() + n)
        else d.setUTCFullYear(d.getUTCFullYear() + n)
        ms = d.getTime()
      } else ms += n * UNIT_MS[unit]!
    }
    if (rel[2]) ms = roundDown(ms, rel[2])
    return ms * 1000
  }
  return parseIsoMicros(t)
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

function roundDown(ms: number, unit: string): number {
  const d = new Date(ms)
  switch (unit) {
    case 'y':
      return Date.UTC(d.getUTCFullYear(), 0, 1)
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
    case 'w': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000 // ISO weeks start on Monday
    }
    default:
      return Math.floor(ms / UNIT_MS[unit]!) * UNIT_MS[unit]!
  }
}
