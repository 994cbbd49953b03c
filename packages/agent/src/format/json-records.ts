// Records → JSON text, as Fluent Bit's flb_pack_msgpack_to_json_format writes them: each record an
// object with the date key first, then the record's own keys (a record key equal to the date key is
// written too, as Fluent Bit does). `json`: one array; `json_lines`: one object per line, each ending
// in `\n`; `json_stream`: objects back to back.

import type { LogEvent } from '@sluice/core/record.ts'
import { type JsonDateFormat, jsonDateValue } from './json-date.ts'
import { escapeNonAscii } from './json-escape.ts'
import { writeEpochDouble } from './numbers.ts'

export type JsonFormat = 'json' | 'json_lines' | 'json_stream'

export interface JsonRecordOptions {
  /** Key of the time; null leaves it out. */
  readonly dateKey: string | null
  readonly dateFormat: JsonDateFormat
  /** Write non-ASCII characters as `\uXXXX`, as Fluent Bit does by default (json.escape_unicode). */
  readonly escapeUnicode?: boolean
}

/** One record as a JSON object (no newline). */
export function recordJson(e: LogEvent, opts: JsonRecordOptions): string {
  const raw = JSON.stringify(e.body)
  const body = opts.escapeUnicode === false ? raw : escapeNonAscii(raw)
  if (opts.dateKey === null) return body
  const date = `${escapeNonAscii(JSON.stringify(opts.dateKey))}:${jsonDateValue(e.sec, e.nsec, opts.dateFormat)}`
  // fast path: splice the date into the serialised body instead of building a new object.
  return body.length === 2 ? `{${date}}` : `{${date},${body.slice(1)}`
}

/** A batch as one string in the given JSON format (built once: one write per batch). */
export function formatJsonRecords(events: readonly LogEvent[], format: JsonFormat, opts: JsonRecordOptions): string {
  const parts = new Array<string>(events.length)
  for (let i = 0; i < events.length; i++) parts[i] = recordJson(events[i]!, opts)
  if (format === 'json') return `[${parts.join(',')}]`
  if (format === 'json_stream') return parts.join('')
  return parts.length === 0 ? '' : parts.join('\n') + '\n'
}

/** Buffer's own encoders, without the argument checks of write() (called per record). */
export type RawWrite = Buffer & {
  utf8Write(s: string, offset: number): number
  latin1Write(s: string, offset: number): number
}

/** Output buffer reused by jsonLinesBuffer (the result is a copy, so flushes in flight never share it). */
let scratch = Buffer.allocUnsafe(1 << 20) as RawWrite
/** A scratch buffer grown past this for one big batch is not kept. */
const SCRATCH_KEEP = 8 << 20

/**
 * A batch as `json_lines` bytes: the same text as formatJsonRecords(events, 'json_lines', opts)
 * encoded as UTF-8 (tested against it).
 */
// fast path: each record is serialised once and encoded straight into one buffer; the date is
// spliced in by overwriting the body's `{` with `,` (a `double` date is written as bytes), and the
// UTF-8 byte count tells whether the body has non-ASCII characters to escape (no separate scan, no
// per-record string concatenation).
export function jsonLinesBuffer(events: readonly LogEvent[], opts: JsonRecordOptions): Buffer {
  const escapeUnicode = opts.escapeUnicode !== false
  const dateKey = opts.dateKey === null ? null : `{${escapeNonAscii(JSON.stringify(opts.dateKey))}:`
  // `{"key":` as bytes (ASCII after escaping), copied in front of each record.
  const keyBytes = dateKey === null ? undefined : Buffer.from(dateKey, 'latin1')
  const double = opts.dateFormat === 'double'
  let buf = scratch
  let off = 0
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    const raw = JSON.stringify(e.body)
    // A `double` date is written below as bytes: at most 17, or a %.16g / %.1f fallback of at most 24.
    const date = keyBytes === undefined || double ? '' : jsonDateValue(e.sec, e.nsec, opts.dateFormat)
    // Worst case: the date key and value, every UTF-16 unit of the body escaped as `\uXXXX` (6 bytes),
    // plus `}` and `\n`.
    const need = off + (keyBytes === undefined ? 0 : keyBytes.length + 24 + date.length) + raw.length * 6 + 2
    if (need > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2)) as RawWrite
      buf.copy(bigger, 0, 0, off)
      buf = bigger
    }
    let at = off
    if (keyBytes !== undefined) {
      buf.set(keyBytes, at)
      at += keyBytes.length
      if (!double) at += buf.latin1Write(date, at)
      else {
        const end = writeEpochDouble(buf, at, e.sec, e.nsec)
        at = end >= 0 ? end : at + buf.latin1Write(jsonDateValue(e.sec, e.nsec, 'double'), at)
      }
    }
    let n = buf.utf8Write(raw, at)
    // A non-ASCII character takes more UTF-8 bytes than UTF-16 units: escape them (ASCII only then).
    if (escapeUnicode && n !== raw.length) n = buf.latin1Write(escapeNonAscii(raw), at)
    if (keyBytes !== undefined) {
      if (n === 2)
        buf[at] = 125 /* } */ // `{}`: the record is just the date
      else buf[at] = 44 /* , */
      at += n === 2 ? 1 : n
    } else at += n
    buf[at++] = 10 /* \n */
    off = at
  }
  if (buf.length <= SCRATCH_KEEP) scratch = buf
  const out = Buffer.allocUnsafe(off)
  buf.copy(out, 0, 0, off)
  return out
}
