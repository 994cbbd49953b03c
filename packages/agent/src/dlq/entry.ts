// One dead-lettered record: a JSON line saying what was refused, by whom, why, and the record itself,
// so it can be inspected (`sluice dlq show`) and sent again once the cause is fixed (`sluice dlq replay`).

export interface DeadLetterEntry {
  /** Format version. */
  readonly v: 1
  /** When the record was dead-lettered (ISO 8601). */
  readonly at: string
  /** Output instance that refused it, e.g. `es.0`. */
  readonly output: string
  readonly tag: string
  /** Why: the server's status, error type and reason, e.g. `400 mapper_parsing_exception: …`. */
  readonly reason: string
  readonly status?: number
  readonly error_type?: string
  /** Where it was going: index, bulk action and id. */
  readonly index?: string
  readonly action?: string
  readonly id?: string
  /** The record as the pipeline delivered it: time (seconds, nanoseconds) and body. */
  readonly record: { readonly sec: number; readonly nsec: number; readonly body: Record<string, unknown> }
  /** The document exactly as sent (time key and tag added), what a replay sends again. */
  readonly doc?: Record<string, unknown>
}

/** Parses one line; undefined when it is not an entry (a torn last line after a crash). */
export function parseEntry(line: string): DeadLetterEntry | undefined {
  try {
    const e = JSON.parse(line) as DeadLetterEntry
    if (e && e.v === 1 && typeof e.reason === 'string' && e.record && typeof e.record === 'object') return e
  } catch {
    // fall through
  }
  return undefined
}
