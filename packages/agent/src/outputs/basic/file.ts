// The `file` output (fluent-bit/plugins/out_file/file.c; docs "File" output): appends each batch to
// Path/File (File defaults to the tag, Path to the working directory), creating the directory with
// Mkdir. Formats: out_file (default, `tag: [time, {json}]`), plain (the JSON record), csv, ltsv,
// template (`{time} {message}`), msgpack (Fluent Bit's event encoding), and json_lines (the record
// with its date, as stdout's json_lines). Every batch is rendered into one buffer and written with
// one append (fast path).

import { appendFile, mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { LogEvent } from '@sluice/core/record.ts'
import { eventsToMsgpack } from '../../format/event-msgpack.ts'
import { escapeNonAscii } from '../../format/json-escape.ts'
import { formatJsonRecords } from '../../format/json-records.ts'
import { msgpackPrint } from '../../format/msgpack-print.ts'
import { printfF } from '../../format/numbers.ts'
import { defineOutput, type FlushResult } from '../../plugin.ts'

export const FILE_FORMATS = ['out_file', 'plain', 'csv', 'ltsv', 'template', 'msgpack', 'json_lines'] as const
export type FileFormat = (typeof FILE_FORMATS)[number]

export const fileOptions = {
  path: { type: 'str', description: 'Directory of the output files (default: the working directory).' },
  file: { type: 'str', description: 'File name (default: the tag of the records).' },
  format: {
    type: 'str',
    default: 'out_file',
    values: FILE_FORMATS,
    description: 'out_file (`tag: [time, {json}]`), plain, csv, ltsv, template, msgpack or json_lines.',
  },
  mkdir: { type: 'bool', default: 'off', description: 'Create the directory (and parents) if missing, mode 0755.' },
  delimiter: {
    type: 'str',
    description: "csv/ltsv field separator: '\\t' or tab, space, comma (others fall back to the default).",
  },
  label_delimiter: {
    type: 'str',
    description: "ltsv label separator: '\\t' or tab, space, comma (others fall back to ':').",
  },
  template: {
    type: 'str',
    default: '{time} {message}',
    description: 'template format: `{time}` and `{key}` are replaced by the record time and fields.',
  },
  csv_column_names: {
    type: 'bool',
    default: 'off',
    description: 'csv: write the keys of the first record as a header line when the file is new.',
  },
} as const

/** Fluent Bit's check_delimiter: only these spellings are accepted; anything else keeps the default. */
function delimiterOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const t = text.toLowerCase()
  if (t === '\\t' || t === 'tab') return '\t'
  if (t === 'space') return ' '
  if (t === 'comma') return ','
  return undefined
}

export interface FileFormatConfig {
  readonly format: FileFormat
  readonly delimiter: string
  readonly labelDelimiter: string
  readonly template: string
}

export function fileFormatConfig(o: {
  format: FileFormat
  delimiter?: string
  label_delimiter?: string
  template: string
}): FileFormatConfig {
  return {
    format: o.format,
    delimiter: delimiterOf(o.delimiter) ?? (o.format === 'ltsv' ? '\t' : ','),
    labelDelimiter: delimiterOf(o.label_delimiter) ?? ':',
    template: o.template,
  }
}

const seconds = (e: LogEvent) => printfF(e.sec + e.nsec / 1e9)

function templateLine(e: LogEvent, template: string): string {
  return template.replace(/\{([^{}]+)\}/g, (_, key: string) => {
    if (key === 'time') return seconds(e)
    const v = e.body[key]
    if (v === undefined) return ''
    return typeof v === 'string' ? v : JSON.stringify(v)
  })
}

/** The bytes one batch appends to the file. `header`: csv column names for a new file. */
export function formatFile(
  events: readonly LogEvent[],
  tag: string,
  c: FileFormatConfig,
  header = false,
): string | Buffer {
  switch (c.format) {
    case 'msgpack':
      return eventsToMsgpack(events)
    case 'json_lines':
      return formatJsonRecords(events, 'json_lines', { dateKey: 'date', dateFormat: 'double' })
    case 'plain': {
      let out = ''
      for (const e of events) out += escapeNonAscii(JSON.stringify(e.body)) + '\n'
      return out
    }
    case 'csv': {
      let out = ''
      const first = events.find((e) => Object.keys(e.body).length > 0)
      if (header && first) out += ['time', ...Object.keys(first.body)].map((k) => `"${k}"`).join(c.delimiter) + '\n'
      for (const e of events) {
        const vals = Object.values(e.body)
        if (vals.length === 0) continue
        out += seconds(e) + c.delimiter + vals.map(msgpackPrint).join(c.delimiter) + '\n'
      }
      return out
    }
    case 'ltsv': {
      let out = ''
      for (const e of events) {
        const keys = Object.keys(e.body)
        if (keys.length === 0) continue
        out += `"time"${c.labelDelimiter}${seconds(e)}`
        for (const k of keys) out += c.delimiter + `"${k}"` + c.labelDelimiter + msgpackPrint(e.body[k])
        out += '\n'
      }
      return out
    }
    case 'template': {
      let out = ''
      for (const e of events) out += templateLine(e, c.template) + '\n'
      return out
    }
    default: {
      let out = ''
      for (const e of events) out += `${tag}: [${seconds(e)}, ${escapeNonAscii(JSON.stringify(e.body))}]\n`
      return out
    }
  }
}

interface FileState {
  readonly dir: string | undefined
  readonly file: string | undefined
  readonly mkdir: boolean
  readonly cfg: FileFormatConfig
  readonly csvHeader: boolean
}

// Errors retrying cannot fix (a missing directory without Mkdir, permissions, a directory in the way).
const PERMANENT = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'ENAMETOOLONG'])

export default defineOutput({
  name: 'file',
  description: 'Appends records to files',
  options: fileOptions,
  init(opts, ctx): FileState {
    return {
      dir: opts.path === undefined ? undefined : ctx.resolvePath(opts.path),
      file: opts.file,
      mkdir: opts.mkdir,
      cfg: fileFormatConfig(opts),
      csvHeader: opts.csv_column_names && opts.format === 'csv',
    }
  },
  async flush(events, tag, s): Promise<FlushResult> {
    const name = s.file ?? tag
    const path = s.dir === undefined ? name : join(s.dir, name)
    try {
      if (s.mkdir && s.dir !== undefined) await mkdir(s.dir, { recursive: true, mode: 0o755 })
      let header = false
      if (s.csvHeader)
        header = await stat(path)
          .then((st) => st.size === 0)
          .catch(() => true)
      await appendFile(path, formatFile(events, tag, s.cfg, header))
      return { kind: 'ok' }
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const reason = `cannot append to ${path}: ${e.message}`
      return e.code && PERMANENT.has(e.code) ? { kind: 'error', reason } : { kind: 'retry', reason }
    }
  },
})
