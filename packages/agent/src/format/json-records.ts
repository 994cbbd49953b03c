// Records → JSON text, as Fluent Bit's flb_pack_msgpack_to_json_format writes them: each record an
// object with the date key first, then the record's own keys (a record key equal to the date key is
// written too, as Fluent Bit does). `json`: one array; `json_lines`: one object per line, each ending
// in `\n`; `json_stream`: objects back to back.

import type { LogEvent } from '@sluice/core/record.ts'
import { type JsonDateFormat, jsonDateValue } from './json-date.ts'
import { escapeNonAscii } from './json-escape.ts'

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
