// Records → CloudWatch Logs events and PutLogEvents batches, within the service's limits (Amazon
// CloudWatch Logs API Reference, PutLogEvents): at most 10,000 events and 1,048,576 bytes per call,
// counted as each message's UTF-8 bytes plus 26; events in chronological order; one call spans at most
// 24 hours. An event's message is at most 256 KiB − 26 bytes (Fluent Bit's MAX_EVENT_LEN, 262118):
// longer ones are truncated, as Fluent Bit does, and counted. An empty message is refused by the
// service, so such a record is rejected here with that reason instead.

import type { LogEvent } from '@sluice/core/record.ts'

export const MAX_EVENTS_PER_CALL = 10_000
export const MAX_CALL_BYTES = 1_048_576
export const EVENT_OVERHEAD_BYTES = 26
export const MAX_MESSAGE_BYTES = 262_144 - EVENT_OVERHEAD_BYTES
export const MAX_SPAN_MS = 24 * 60 * 60 * 1000

export interface CwEvent {
  readonly timestamp: number
  readonly message: string
  /** UTF-8 bytes of the message. */
  readonly bytes: number
  /** The record it came from (for retries and rejections). */
  readonly source: LogEvent
}

export interface Conversion {
  readonly events: CwEvent[]
  /** Records that cannot become an event, with the reason. */
  readonly rejected: Array<{ event: LogEvent; reason: string }>
  /** Messages cut to MAX_MESSAGE_BYTES. */
  readonly truncated: number
}

/** The message of one record: the whole record as JSON, or only Log_Key's value. */
function messageOf(e: LogEvent, logKey: string | undefined): string | undefined {
  if (logKey === undefined) return JSON.stringify(e.body)
  const v = (e.body as Record<string, unknown>)[logKey]
  if (v === undefined) return undefined
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8').subarray(0, max)
  // drop a trailing partial character (its continuation bytes were cut)
  let end = b.length
  let i = end - 1
  while (i >= 0 && (b[i]! & 0xc0) === 0x80) i--
  if (i >= 0) {
    const lead = b[i]!
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
    if (end - i < need) end = i
  }
  return b.subarray(0, end).toString('utf8')
}

export function toEvents(records: readonly LogEvent[], logKey: string | undefined): Conversion {
  const events: CwEvent[] = []
  const rejected: Conversion['rejected'] = []
  let truncated = 0
  for (const e of records) {
    let message = messageOf(e, logKey)
    if (message === undefined) {
      rejected.push({ event: e, reason: `the record has no '${logKey}' key (Log_Key)` })
      continue
    }
    if (message.length === 0) {
      rejected.push({ event: e, reason: 'empty message (CloudWatch Logs refuses empty events)' })
      continue
    }
    let bytes = Buffer.byteLength(message, 'utf8')
    if (bytes > MAX_MESSAGE_BYTES) {
      message = truncateUtf8(message, MAX_MESSAGE_BYTES)
      bytes = Buffer.byteLength(message, 'utf8')
      truncated++
    }
    events.push({ timestamp: e.sec * 1000 + Math.floor(e.nsec / 1e6), message, bytes, source: e })
  }
  return { events, rejected, truncated }
}

/**
 * Sorts events by time (stable: equal times keep their order) and cuts them into calls that respect
 * the count, size and 24-hour limits.
 */
export function batches(events: readonly CwEvent[]): CwEvent[][] {
  const sorted = events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].timestamp - b[0].timestamp || a[1] - b[1])
    .map(([e]) => e)
  const out: CwEvent[][] = []
  let cur: CwEvent[] = []
  let size = 0
  for (const e of sorted) {
    const cost = e.bytes + EVENT_OVERHEAD_BYTES
    if (
      cur.length > 0 &&
      (cur.length >= MAX_EVENTS_PER_CALL ||
        size + cost > MAX_CALL_BYTES ||
        e.timestamp - cur[0]!.timestamp > MAX_SPAN_MS)
    ) {
      out.push(cur)
      cur = []
      size = 0
    }
    cur.push(e)
    size += cost
  }
  if (cur.length > 0) out.push(cur)
  return out
}

/** The PutLogEvents request (serialized once, by the client). */
export function putLogEventsRequest(group: string, stream: string, events: readonly CwEvent[]) {
  return {
    logGroupName: group,
    logStreamName: stream,
    logEvents: events.map((e) => ({ timestamp: e.timestamp, message: e.message })),
  }
}
