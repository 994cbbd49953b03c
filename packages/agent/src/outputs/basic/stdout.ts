// The `stdout` output (fluent-bit/plugins/out_stdout/stdout.c): with no Format, each record is printed
// as `[N] tag: [[sec.nsec, {metadata}], {"key"=>"value"}]` (msgpack-c's printer); with Format json,
// json_lines or json_stream, as Fluent Bit's JSON formatter writes them (json and json_stream end the
// batch with a newline; json_lines ends every record with one).

import type { LogEvent } from '@sluice/core/record.ts'
import { dateKeyOf, type JsonDateFormat, jsonDateFormatOption, jsonDateKeyOption } from '../../format/json-date.ts'
import { formatJsonRecords } from '../../format/json-records.ts'
import { msgpackPrint } from '../../format/msgpack-print.ts'
import { defineOutput } from '../../plugin.ts'

export const stdoutOptions = {
  format: {
    type: 'str',
    values: ['msgpack', 'json', 'json_lines', 'json_stream'],
    description: 'msgpack (the default human-readable print), json, json_lines or json_stream.',
  },
  json_date_key: jsonDateKeyOption,
  json_date_format: jsonDateFormatOption,
} as const

export interface StdoutFormat {
  readonly format: 'msgpack' | 'json' | 'json_lines' | 'json_stream' | undefined
  readonly dateKey: string | null
  readonly dateFormat: JsonDateFormat
}

/** What stdout prints for one batch. */
export function formatStdout(events: readonly LogEvent[], tag: string, f: StdoutFormat): string {
  if (f.format === undefined || f.format === 'msgpack') {
    let out = ''
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      out += `[${i}] ${tag}: [[${e.sec}.${String(e.nsec).padStart(9, '0')}, {}], ${msgpackPrint(e.body)}]\n`
    }
    return out
  }
  const text = formatJsonRecords(events, f.format, { dateKey: f.dateKey, dateFormat: f.dateFormat })
  return f.format === 'json_lines' ? text : `${text}\n`
}

export default defineOutput({
  name: 'stdout',
  description: 'Prints records to the standard output',
  options: stdoutOptions,
  init(opts) {
    return { format: opts.format, dateKey: dateKeyOf(opts.json_date_key), dateFormat: opts.json_date_format }
  },
  async flush(events, tag, state) {
    const text = formatStdout(events, tag, state)
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(text, (err) => (err ? reject(err) : resolve())),
    ).catch((err: Error) => {
      throw new Error(`cannot write to stdout: ${err.message}`)
    })
    return { kind: 'ok' }
  },
})
