// The `file` output (fluent-bit/plugins/out_file/file.c; docs "File" output): appends each batch to
// Path/File (File defaults to the tag, made filesystem-safe; Path to the working directory), creating
// the directory when missing with Mkdir. Formats: out_file (default, `tag: [sec.nsec, {json}]`), plain
// (the JSON record), csv, ltsv, template (`{time} {message}`), msgpack (Fluent Bit's event encoding),
// and json_lines (the record with its date, as stdout's json_lines). With files_rotation a file that
// reached max_size is renamed `<file>.YYYYMMDD_HHMMSS` (gzip'd unless gzip is off) and the oldest
// rotated files beyond max_files are deleted. Every batch is rendered into one buffer and written with
// one append (fast path).

import { createReadStream, createWriteStream } from 'node:fs'
import { appendFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { LogEvent } from '@sluice/core/record.ts'
import { eventsToMsgpack } from '../../format/event-msgpack.ts'
import { escapeNonAscii } from '../../format/json-escape.ts'
import { jsonLinesBuffer } from '../../format/json-records.ts'
import { msgpackPrint } from '../../format/msgpack-print.ts'
import { printfF } from '../../format/numbers.ts'
import { defineOutput, type FlushResult, type OutputContext } from '../../plugin.ts'

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
    description: 'csv: write a header line (`timestamp` and the keys of the record) when the file is empty.',
  },
  files_rotation: { type: 'bool', default: 'off', description: 'Rotate files that reach max_size.' },
  max_size: { type: 'size', default: '100000000', description: 'Size at which a file is rotated (files_rotation).' },
  max_files: { type: 'int', default: '7', description: 'Rotated files kept per file (files_rotation).' },
  gzip: { type: 'bool', default: 'on', description: 'Compress rotated files with gzip (files_rotation).' },
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
/** `sec.nnnnnnnnn`, as out_file and csv print the time. */
const secNsec = (e: LogEvent) => `${e.sec}.${String(e.nsec).padStart(9, '0')}`

/**
 * Fluent Bit's Python-like templating: `{time}` is the time (`%f`), `{key}` the field (strings as they
 * are, other values as msgpack-c prints them); an unknown key or a stray brace stays as written.
 */
export function templateLine(e: LogEvent, template: string): string {
  let out = ''
  let open = -1
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!
    if (c === '{') {
      if (open >= 0) out += template.slice(open, i)
      open = i
    } else if (c === '}' && open >= 0) {
      const key = template.slice(open + 1, i)
      const v = key === 'time' ? seconds(e) : e.body[key]
      if (key === 'time') out += v as string
      else if (v === undefined) out += template.slice(open, i + 1)
      else out += typeof v === 'string' ? v : msgpackPrint(v)
      open = -1
    } else if (open < 0) out += c
  }
  if (open >= 0) out += template.slice(open)
  return out
}

/**
 * The file name for a tag, as Fluent Bit's sanitize_tag_name: `/`-separated components kept, other
 * characters outside [A-Za-z0-9._-] become `_`, `.` and `..` components become `_`, never absolute.
 */
export function fileNameForTag(tag: string): string {
  const parts = tag
    .split(/[/\\]+/)
    .filter((p) => p !== '')
    .map((p) => (p === '.' || p === '..' ? '_' : p.replace(/[^A-Za-z0-9._-]/g, '_')))
  return parts.length === 0 ? '_' : parts.join('/')
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
      return jsonLinesBuffer(events, { dateKey: 'date', dateFormat: 'double' })
    case 'plain': {
      let out = ''
      for (const e of events) out += escapeNonAscii(JSON.stringify(e.body)) + '\n'
      return out
    }
    case 'csv': {
      let out = ''
      let wantHeader = header
      for (const e of events) {
        const keys = Object.keys(e.body)
        if (keys.length === 0) continue
        if (wantHeader) {
          out += 'timestamp' + c.delimiter + keys.map((k) => `"${k}"`).join(c.delimiter) + '\n'
          wantHeader = false
        }
        out += secNsec(e) + c.delimiter + keys.map((k) => msgpackPrint(e.body[k])).join(c.delimiter) + '\n'
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
      for (const e of events) out += `${tag}: [${secNsec(e)}, ${escapeNonAscii(JSON.stringify(e.body))}]\n`
      return out
    }
  }
}

interface Rotation {
  readonly maxSize: number
  readonly maxFiles: number
  readonly gzip: boolean
}

interface FileState {
  readonly dir: string | undefined
  readonly file: string | undefined
  readonly mkdir: boolean
  readonly cfg: FileFormatConfig
  readonly csvHeader: boolean
  readonly rotation: Rotation | undefined
  /** Bytes in each file written to, for rotation. */
  readonly sizes: Map<string, number>
}

// Errors retrying cannot fix (a missing directory without Mkdir, permissions, a directory in the way).
const PERMANENT = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'ENAMETOOLONG'])

const p2 = (n: number) => String(n).padStart(2, '0')
/** Local time as YYYYMMDD_HHMMSS, the suffix of rotated files. */
function rotationStamp(d = new Date()): string {
  return `${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}_${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}`
}

/** Renames `path` aside (gzip'd when asked) and deletes the oldest rotated files beyond the limit. */
export async function rotateFile(path: string, r: Rotation, log?: OutputContext['log']): Promise<void> {
  const rotated = `${path}.${rotationStamp()}`
  await rename(path, rotated)
  if (r.gzip) {
    await pipeline(createReadStream(rotated), createGzip(), createWriteStream(`${rotated}.gz`))
    await unlink(rotated)
  }
  log?.info(`rotated ${path} to ${rotated}${r.gzip ? '.gz' : ''}`)
  const dir = dirname(path)
  const prefix = `${basename(path)}.`
  const names = (await readdir(dir)).filter((n) => {
    if (!n.startsWith(prefix)) return false
    return /^\d{8}_\d{6}(\.gz)?$/.test(n.slice(prefix.length))
  })
  if (names.length <= r.maxFiles) return
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n))).mtimeMs })))
  withTimes.sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : 1))
  for (const { n } of withTimes.slice(0, names.length - r.maxFiles)) {
    await unlink(join(dir, n)).catch(() => undefined)
    log?.info(`removed old rotated file ${join(dir, n)} (max_files ${r.maxFiles})`)
  }
}

async function append(path: string, data: string | Buffer, mkdirOnMissing: boolean): Promise<void> {
  try {
    await appendFile(path, data)
  } catch (err) {
    if (!mkdirOnMissing || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    await mkdir(dirname(path), { recursive: true, mode: 0o755 })
    await appendFile(path, data)
  }
}

export default defineOutput({
  name: 'file',
  description: 'Appends records to files',
  options: fileOptions,
  init(opts, ctx): FileState {
    if (opts.files_rotation && opts.max_files < 1) throw new Error(`invalid max_files=${opts.max_files}; must be >= 1`)
    return {
      dir: opts.path === undefined || opts.path === '' ? undefined : ctx.resolvePath(opts.path),
      file: opts.file,
      mkdir: opts.mkdir,
      cfg: fileFormatConfig(opts),
      csvHeader: opts.csv_column_names && opts.format === 'csv',
      rotation:
        opts.files_rotation && opts.max_size > 0
          ? { maxSize: opts.max_size, maxFiles: opts.max_files, gzip: opts.gzip }
          : undefined,
      sizes: new Map(),
    }
  },
  async flush(events, tag, s, ctx): Promise<FlushResult> {
    const name = s.file ?? fileNameForTag(tag)
    const path = s.dir === undefined ? name : join(s.dir, name)
    try {
      const statSize = () =>
        stat(path)
          .then((st) => st.size)
          .catch(() => 0)
      let size: number | undefined
      if (s.rotation) {
        size = s.sizes.get(path) ?? (await statSize())
        if (size >= s.rotation.maxSize) {
          try {
            await rotateFile(path, s.rotation, ctx.log)
            size = 0
          } catch (err) {
            // Fluent Bit keeps writing to the current file when rotation fails.
            ctx.log.error(`cannot rotate ${path}: ${(err as Error).message}; appending to it`)
          }
        }
      }
      // csv column names go on the first line of an empty file (Fluent Bit checks the position each flush).
      if (s.csvHeader && size === undefined) size = await statSize()
      const data = formatFile(events, tag, s.cfg, s.csvHeader && size === 0)
      await append(path, data, s.mkdir)
      if (s.rotation)
        s.sizes.set(path, (size ?? 0) + (typeof data === 'string' ? Buffer.byteLength(data) : data.length))
      return { kind: 'ok' }
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const reason = `cannot append to ${path}: ${e.message}`
      return e.code && PERMANENT.has(e.code) ? { kind: 'error', reason } : { kind: 'retry', reason }
    }
  },
})
