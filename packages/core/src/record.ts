// A log record as it travels through Sluice: a timestamp in nanoseconds (kept as whole seconds plus
// nanoseconds, as Fluent Bit's flb_time does, because a float64 cannot hold epoch nanoseconds) and a
// record body. The tag travels with the batch, not with each record (records move in batches per tag).

export type Body = Record<string, unknown>

export interface LogEvent {
  /** Whole seconds since the Unix epoch. */
  sec: number
  /** Nanoseconds within the second, 0..999_999_999. */
  nsec: number
  body: Body
}

export function eventNow(body: Body): LogEvent {
  const ms = Date.now()
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000, body }
}

/** Seconds as a float with microsecond precision (Fluent Bit's `double` time format). */
export function eventSeconds(e: Pick<LogEvent, 'sec' | 'nsec'>): number {
  return e.sec + e.nsec / 1e9
}

/** Milliseconds since the epoch (loses sub-millisecond precision). */
export function eventMillis(e: Pick<LogEvent, 'sec' | 'nsec'>): number {
  return e.sec * 1000 + Math.floor(e.nsec / 1e6)
}

/** ISO 8601 with nanoseconds, e.g. `2026-11-22T07:30:00.123456789Z`. */
export function eventIso(e: Pick<LogEvent, 'sec' | 'nsec'>, fractionDigits = 9): string {
  const base = new Date(e.sec * 1000).toISOString().slice(0, 19)
  if (fractionDigits === 0) return `${base}Z`
  return `${base}.${String(e.nsec).padStart(9, '0').slice(0, fractionDigits)}Z`
}
