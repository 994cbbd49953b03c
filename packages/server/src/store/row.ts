// A record becomes one store row. Kubernetes fields that every query filters on become columns
// (dictionary-compressed, zone-mapped); the message gets its own column for fast `contains()`; the
// per-record `time` string too (so what remains is mostly the same for every line of a pod and
// compresses to almost nothing); all other fields stay, losslessly and with their original nesting, in
// `rest` (JSON text). A field that is a number in one record and a string in another is therefore
// fine, and `app` next to `app.kubernetes.io/name` never conflicts (different JSON keys; catalog.ts).
//
// fast path: the JavaScript side parses each document once (it must, to validate it and read its
// timestamp), so it also splits it: the columns and the remaining fields' JSON text go to the
// write-ahead log as one line, which DuckDB loads with no JSON function at all (measured: half the load
// cost of splitting inside DuckDB with json_extract_string + json_merge_patch).
//
// The WAL line is CSV with control-character separators (walRow), not JSON: `rest` is written as is
// instead of as an escaped JSON string inside a JSON line, which JavaScript had to escape and DuckDB
// to unescape (measured on the Kubernetes workload: DuckDB's load 13.7 → 6.8 µs/row with read_csv).
// Segments written by earlier versions (NDJSON, walLine) are still replayed.
//
// Shared part: Fluent Bit's pod metadata (`kubernetes`: labels, annotations, ids, image; ≈600 of ≈840
// bytes) is the same for every line of a pod, and es/bulk-parse.ts already parses it once and shares
// the object. Such an object, when it is the last key of what stays in `rest`, is split off
// (splitOf): the row keeps its own fields in `rest` and references `{"kubernetes":…}` (without the
// column keys) by a 64-bit hash of that text (`kid`), which the store keeps once per day partition
// (store.ts `shared`). Read back, the two texts join into the rest as ingested (mergeRest). Documents
// whose `kubernetes` is not shared (other shippers, OTLP, forward, a pod's first line) stay whole.

import { createHash } from 'node:crypto'
import { BufferPool } from '../buffer-pool.ts'
import { parseIsoMicros } from './time.ts'

/** Where `msg` came from: the `log` key (Fluent Bit tail) or `message` (CRI parser, most shippers). */
export const MKEY_LOG = 1
export const MKEY_MESSAGE = 2

/** Bits of the column mask: which keys of the document were moved to columns. */
export const M = {
  timestamp: 1,
  log: 2,
  message: 4,
  stream: 8,
  level: 16,
  time: 32,
  ns: 64,
  pod: 128,
  ctr: 256,
  host: 512,
} as const

/** The M bit of a top-level document key that can become a column (0 for any other key). */
function topColumnBit(key: string): number {
  switch (key) {
    case '@timestamp':
      return M.timestamp
    case 'log':
      return M.log
    case 'message':
      return M.message
    case 'stream':
      return M.stream
    case 'level':
      return M.level
    case 'time':
      return M.time
    default:
      return 0
  }
}

/** Column list and DuckDB types of a legacy NDJSON WAL line (walLine; read_json `columns`). `c` holds the
 * column values [ns, pod, ctr, host, stream, level, msg, time], `k` the message key (MKEY_*), `r` the
 * rest's JSON text. */
export const WAL_JSON_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['ts', 'BIGINT'],
  ['seq', 'BIGINT'],
  ['idx', 'VARCHAR'],
  ['id', 'VARCHAR'],
  ['c', 'VARCHAR[]'],
  ['k', 'UTINYINT'],
  ['r', 'VARCHAR'],
]

export type FieldType = 'string' | 'number' | 'boolean' | 'object'

export interface Analysis {
  /** Column mask (M bits). */
  mask: number
  /** The `@timestamp` value when it is a string or number (mask has M.timestamp). */
  timestamp: unknown
}

/** Decides which keys of a parsed document become columns. Does not modify it. */
export function analyze(doc: Record<string, unknown>): Analysis {
  let mask = 0
  const t = doc['@timestamp']
  let timestamp: unknown
  if (typeof t === 'string' || typeof t === 'number') {
    mask |= M.timestamp
    timestamp = t
  }
  if (typeof doc.log === 'string') mask |= M.log
  else if (typeof doc.message === 'string') mask |= M.message
  if (typeof doc.stream === 'string') mask |= M.stream
  if (typeof doc.level === 'string') mask |= M.level
  if (typeof doc.time === 'string') mask |= M.time
  const k = doc.kubernetes
  if (k !== null && typeof k === 'object' && !Array.isArray(k)) {
    const o = k as Record<string, unknown>
    if (typeof o.namespace_name === 'string') mask |= M.ns
    if (typeof o.pod_name === 'string') mask |= M.pod
    if (typeof o.container_name === 'string') mask |= M.ctr
    if (typeof o.host === 'string') mask |= M.host
  }
  return { mask, timestamp }
}

/** Epoch microseconds of an Elasticsearch `@timestamp` value (ISO 8601 or epoch millis), or undefined. */
export function timestampMicros(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000)
  if (typeof v === 'string') {
    if (/^\d{1,16}$/.test(v)) return Number(v) * 1000
    return parseIsoMicros(v)
  }
  return undefined
}

const K8S_KEYS = new Set(['namespace_name', 'pod_name', 'container_name', 'host'])

interface SharedMemo {
  /** JSON text of the object without the keys moved to columns (null: nothing left); undefined until made. */
  kept: string | null | undefined
  /** WAL bytes of this object in a document with nothing else in `rest` (SharedWal); undefined until made. */
  wal: SharedWal | undefined
  /** The part split off into the store's table of shared values (null: nothing kept); undefined until made. */
  part: SharedPart | null | undefined
  /** The object's column bits (M.ns, M.pod, M.ctr, M.host), as analyze finds them; undefined until made. */
  bits: number | undefined
}

/**
 * The part of a document that the store keeps once per day partition instead of in every row (the
 * `shared` table): `{"kubernetes":…}` of a shared `kubernetes` object without its column keys, and its
 * id, a 64-bit hash of that text (so the same pod metadata has the same id in every partition and
 * every process, and a query can match ids across days without a mapping).
 */
export interface SharedPart {
  /**
   * The id: 64 bits as 11 base64url characters. Text, not a BIGINT: DuckDB stores a VARCHAR column of
   * few distinct values dictionary-compressed (≈1 byte/row), a column of random 64-bit integers
   * uncompressed (8 bytes/row); and 11 bytes stay inlined in DuckDB's strings (fast compares).
   */
  readonly kid: string
  /** `{"kubernetes":…}`, well-formed JSON text. */
  readonly text: string
}

/** The id of a shared part's text: the first 8 bytes of its SHA-256, in base64url (SharedPart.kid). */
export function sharedId(text: string): string {
  return createHash('sha256').update(text).digest().subarray(0, 8).toString('base64url')
}

/**
 * Objects shared by many documents (es/bulk-parse.ts: the same pod metadata parsed once): what is
 * derived from them alone is computed once. Such objects must not be modified (nothing in ingest
 * modifies a document).
 */
const shared = new WeakMap<object, SharedMemo>()

/** Marks `v` as shared by documents; returns it. */
export function shareValue<T extends object>(v: T): T {
  if (!shared.has(v)) shared.set(v, { kept: undefined, wal: undefined, part: undefined, bits: undefined })
  return v
}

/**
 * The column bits (M.ns, M.pod, M.ctr, M.host) that analyze finds in a shared `kubernetes` object
 * (shareValue; made once per object); 0 for an object that is not shared.
 */
export function sharedColumnBits(k: object): number {
  const memo = shared.get(k)
  if (memo === undefined) return 0
  if (memo.bits === undefined) memo.bits = analyze({ kubernetes: k }).mask
  return memo.bits
}

/** Whether `v` is a shared object (shareValue). */
export function isShared(v: object): boolean {
  return shared.has(v)
}

/**
 * Sets `o[key] = v` as an own property, also for the key `__proto__` (which JSON.parse makes an own
 * property, and a plain assignment would turn into the object's prototype, dropping it from the text).
 */
function setOwn(o: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true })
  else o[key] = v
}

/** The `kubernetes` object without the keys moved to columns (always the string ones among K8S_KEYS). */
function keptK8s(k: Record<string, unknown>): Record<string, unknown> | null {
  const kept: Record<string, unknown> = {}
  let m = 0
  for (const kk in k) {
    if (K8S_KEYS.has(kk) && typeof k[kk] === 'string') continue
    setOwn(kept, kk, k[kk])
    m++
  }
  return m > 0 ? kept : null
}

/** The JSON text of keptK8s(k) for a shared object, made once and kept in its memo (null: nothing kept). */
function keptText(k: Record<string, unknown>, memo: SharedMemo): string | null {
  if (memo.kept === undefined) {
    const kept = keptK8s(k)
    memo.kept = kept === null ? null : JSON.stringify(kept)
  }
  return memo.kept
}

/** The document without the keys `mask` moved to columns, as JSON text; null when nothing is left. */
export function restText(doc: Record<string, unknown>, mask: number): string | null {
  if (mask === 0) return JSON.stringify(doc)
  const rest: Record<string, unknown> = {}
  let n = 0
  // fast path: a shared `kubernetes` object (the last key, as bulk-parse makes it) has its text cached
  let sharedKept: string | null | undefined
  for (const key in doc) {
    const v = doc[key]
    if (mask & topColumnBit(key)) continue
    if (key === 'kubernetes' && mask & (M.ns | M.pod | M.ctr | M.host)) {
      const k = v as Record<string, unknown>
      const memo = shared.get(k)
      if (memo !== undefined) {
        sharedKept = keptText(k, memo)
        continue
      }
      const kept = keptK8s(k)
      if (kept !== null) {
        rest.kubernetes = kept
        n++
      }
      continue
    }
    if (v === undefined) continue
    if (sharedKept !== undefined) {
      // a key after the shared object: its place in the text matters, so no cached text
      if (sharedKept !== null) {
        rest.kubernetes = JSON.parse(sharedKept)
        n++
      }
      sharedKept = undefined
    }
    setOwn(rest, key, v)
    n++
  }
  if (sharedKept === undefined || sharedKept === null) return n > 0 ? JSON.stringify(rest) : null
  if (n === 0) return `{"kubernetes":${sharedKept}}`
  return `${JSON.stringify(rest).slice(0, -1)},"kubernetes":${sharedKept}}`
}

/**
 * The shared part of `doc` when the store splits it off (SharedPart): `kubernetes` is a shared object
 * (shareValue), some of its keys became columns (mask), something of it is left, and no key that stays
 * in `rest` follows it (it is last in the rest's text, as bulk-parse makes it). Then the row's own
 * text (ownRestText) and the shared text put together (mergeRest) are restText's text exactly.
 * undefined: the document is stored whole in its row, as before this split existed.
 */
export function splitOf(doc: Record<string, unknown>, mask: number): SharedPart | undefined {
  if ((mask & K8S_COLUMNS) === 0) return undefined
  const k = doc.kubernetes
  if (k === null || typeof k !== 'object') return undefined
  const memo = shared.get(k)
  if (memo === undefined) return undefined
  let after = false
  for (const key in doc) {
    if (key === 'kubernetes') {
      after = true
      continue
    }
    if (!after) continue
    if (mask & topColumnBit(key) || doc[key] === undefined) continue
    return undefined
  }
  return sharedPart(k as Record<string, unknown>, memo) ?? undefined
}

function sharedPart(k: Record<string, unknown>, memo: SharedMemo): SharedPart | null {
  if (memo.part === undefined) {
    const kept = keptText(k, memo)
    if (kept === null) memo.part = null
    else {
      const text = wellFormedJson(`{"kubernetes":${kept}}`)
      memo.part = { kid: sharedId(text), text }
    }
  }
  return memo.part
}

/** The document's `rest` without `kubernetes` (a document splitOf splits), as JSON text; null when nothing is left. */
export function ownRestText(doc: Record<string, unknown>, mask: number): string | null {
  const rest: Record<string, unknown> = {}
  let n = 0
  for (const key in doc) {
    if (key === 'kubernetes' || mask & topColumnBit(key)) continue
    const v = doc[key]
    if (v === undefined) continue
    setOwn(rest, key, v)
    n++
  }
  return n > 0 ? JSON.stringify(rest) : null
}

/**
 * A row's `rest` as ingested: its own text and its shared part's text (`{"kubernetes":…}`, last)
 * joined into one object's text. Either may be null.
 */
export function mergeRest(own: string | null, sharedText: string | null): string | null {
  if (sharedText === null) return own
  if (own === null) return sharedText
  return `${own.slice(0, -1)},${sharedText.slice(1)}`
}

/**
 * Replaces the escapes of lone UTF-16 surrogates (`\ud800`: JSON.stringify writes them for strings
 * that are not well-formed Unicode) by U+FFFD, which DuckDB's JSON reader accepts: otherwise the row
 * would be refused at load, after it was acknowledged.
 */
export function wellFormedJson(text: string): string {
  // fast path: JSON.stringify writes `\u` only for control characters and lone surrogates (rare)
  if (text.indexOf('\\u') < 0 || !/\\u[dD][89a-fA-F]/.test(text)) return text
  return text.replace(/(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})/g, (m, bs: string) =>
    bs.length % 2 === 1 ? `${bs.slice(1)}\\ufffd` : m,
  )
}

let lastIndex = ''
let lastIndexJson = '""'

/** A legacy (NDJSON) WAL line of one row, as versions before the CSV WAL wrote them (tests of replay). */
export function walLine(
  tsUs: number,
  seq: number,
  index: string,
  id: string | null,
  mask: number,
  doc: Record<string, unknown>,
): string {
  if (index !== lastIndex) {
    lastIndex = index
    lastIndexJson = wellFormedJson(JSON.stringify(index))
  }
  const k = doc.kubernetes as Record<string, unknown> | undefined
  const c = [
    mask & M.ns ? k!.namespace_name : null,
    mask & M.pod ? k!.pod_name : null,
    mask & M.ctr ? k!.container_name : null,
    mask & M.host ? k!.host : null,
    mask & M.stream ? doc.stream : null,
    mask & M.level ? doc.level : null,
    mask & M.log ? doc.log : mask & M.message ? doc.message : null,
    mask & M.time ? doc.time : null,
  ]
  const key = mask & M.log ? MKEY_LOG : mask & M.message ? MKEY_MESSAGE : 'null'
  const rest = restText(doc, mask)
  const idJson = id === null ? 'null' : wellFormedJson(JSON.stringify(id))
  return `{"ts":${tsUs},"seq":${seq},"idx":${lastIndexJson},"id":${idJson},"c":${wellFormedJson(JSON.stringify(c))},"k":${key},"r":${rest === null ? 'null' : JSON.stringify(wellFormedJson(rest))}}\n`
}

/** Column list and DuckDB types of a WAL row (walRow; read_csv `columns`), in file order. */
export const WAL_CSV_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['ts', 'BIGINT'],
  ['seq', 'BIGINT'],
  ['idx', 'VARCHAR'],
  ['id', 'VARCHAR'],
  ['ns', 'VARCHAR'],
  ['pod', 'VARCHAR'],
  ['ctr', 'VARCHAR'],
  ['host', 'VARCHAR'],
  ['stream', 'VARCHAR'],
  ['level', 'VARCHAR'],
  ['msg', 'VARCHAR'],
  ['k', 'UTINYINT'],
  ['time', 'VARCHAR'],
  ['r', 'VARCHAR'],
  ['kid', 'VARCHAR'],
  ['kr', 'VARCHAR'],
]

/** Columns of a WAL row before the shared part was split off (`.csv` segments): no `kid`, `kr`. */
export const WAL_CSV1_COLUMNS = WAL_CSV_COLUMNS.slice(0, 14)

/** read_csv options of the WAL rows walRow writes (DuckDB). */
export const WAL_CSV_OPTIONS = `delim = '\x01', quote = '\x02', escape = '\x02', header = false, auto_detect = false, allow_quoted_nulls = false, new_line = '\\n'`

const SEP = '\x01'
const QUOTE = '\x02'

/**
 * A string as a quoted WAL field. The separator (U+0001) and newlines inside quotes are data; the
 * quote (U+0002) is doubled. Lone surrogates become U+FFFD when the line is encoded to UTF-8.
 */
function field(s: string): string {
  return s.indexOf(QUOTE) < 0 ? QUOTE + s + QUOTE : QUOTE + s.replaceAll(QUOTE, QUOTE + QUOTE) + QUOTE
}

/** The column fields of a WAL row, each followed by the separator (`rest` comes next). */
function walHead(
  tsUs: number,
  seq: number,
  index: string,
  id: string | null,
  mask: number,
  doc: Record<string, unknown>,
): string {
  if (index !== lastCsvIndex) {
    lastCsvIndex = index
    lastCsvIndexField = field(index)
  }
  const k = doc.kubernetes as Record<string, unknown>
  return (
    `${tsUs}${SEP}${seq}${SEP}${lastCsvIndexField}${SEP}${id === null ? '' : field(id)}${SEP}` +
    `${mask & M.ns ? field(k.namespace_name as string) : ''}${SEP}${mask & M.pod ? field(k.pod_name as string) : ''}${SEP}` +
    `${mask & M.ctr ? field(k.container_name as string) : ''}${SEP}${mask & M.host ? field(k.host as string) : ''}${SEP}` +
    `${mask & M.stream ? field(doc.stream as string) : ''}${SEP}${mask & M.level ? field(doc.level as string) : ''}${SEP}` +
    `${mask & M.log ? field(doc.log as string) : mask & M.message ? field(doc.message as string) : ''}${SEP}` +
    `${mask & M.log ? MKEY_LOG : mask & M.message ? MKEY_MESSAGE : ''}${SEP}${mask & M.time ? field(doc.time as string) : ''}${SEP}`
  )
}

/**
 * The WAL row (with its newline) of one record: CSV separated by U+0001, strings quoted with U+0002,
 * an empty unquoted field is NULL. `rest` is JSON.stringify output, which never holds a raw control
 * character, so it is quoted without a scan. A document with a shared part (splitOf) has its own
 * fields in `r`, the part's id in `kid` and, the first time that id occurs in `seen` (one request:
 * WalWriter), its text in `kr`. (WalWriter writes the same bytes.)
 */
export function walRow(
  tsUs: number,
  seq: number,
  index: string,
  id: string | null,
  mask: number,
  doc: Record<string, unknown>,
  seen: Map<string, string> = new Map(),
): string {
  const part = splitOf(doc, mask)
  const rest = part === undefined ? restText(doc, mask) : ownRestText(doc, mask)
  return `${walHead(tsUs, seq, index, id, mask, doc)}${rest === null ? '' : QUOTE + wellFormedJson(rest) + QUOTE}${walShared(part, seen)}\n`
}

/** The `kid` and `kr` fields of a WAL row, each after its separator (see walRow). */
function walShared(part: SharedPart | undefined, seen: Map<string, string>): string {
  if (part === undefined) return SEP + SEP
  if (seen.has(part.kid)) return `${SEP}${part.kid}${SEP}`
  seen.set(part.kid, part.text)
  return `${SEP}${part.kid}${SEP}${QUOTE}${part.text}${QUOTE}`
}

const QUOTE_BYTE = 2
const NL_BYTE = 10

/**
 * A document's column bytes made at parse time (es/source-transcode.ts): `bytes[start, end)` holds
 * its stream, level, message, message key and time fields as WalWriter writes them, then its own
 * `rest` field when it has one; everything else of it is the shared `kubernetes` object (WalWriter
 * encodedRow).
 */
export interface EncodedColumns {
  readonly kubernetes: Record<string, unknown>
  /** The keys of the document's own `rest` (string values), for the field catalog; undefined: none. */
  readonly restShape: Record<string, unknown> | undefined
  readonly bytes: Buffer
  readonly start: number
  readonly end: number
}

/**
 * Collects WAL rows into one buffer. fast path: each row is encoded to UTF-8 as it is made (measured
 * 1.1 µs/row, against 2.3 µs/row for one `Buffer.from` of the whole request's concatenated text, whose
 * rope V8 must flatten first).
 */
export class WalWriter {
  private buf: Buffer
  private len = 0
  /**
   * The shared parts (SharedPart) of these rows, by id: each one's text is written once, at its
   * first row (the segment holding the rows holds the text, for a replay; the live load takes them
   * from here instead of scanning the segment for them).
   */
  readonly shared = new Map<string, string>()

  constructor(rows: number) {
    // a Fluent Bit record's row is ≈350 bytes; the buffer grows when that is short
    this.buf = walBuffers.take(Math.max(4096, rows * 512))
  }

  /** Makes room for `n` more bytes (a larger buffer of the pool, the rows so far copied into it). */
  private grow(n: number): void {
    const grown = walBuffers.take(Math.max(this.buf.length * 2, this.len + n))
    this.buf.copy(grown, 0, 0, this.len)
    walBuffers.give(this.buf)
    this.buf = grown
  }

  /** Gives the buffer back to the pool: call once nothing uses bytes() any more (the WAL wrote them). */
  release(): void {
    walBuffers.give(this.buf)
    this.buf = EMPTY
    this.len = 0
  }

  row(tsUs: number, seq: number, index: string, id: string | null, mask: number, doc: Record<string, unknown>): void {
    const memo = mask & K8S_COLUMNS ? onlySharedRest(doc, mask) : undefined
    if (memo !== undefined) {
      this.sharedRow(tsUs, seq, index, id, mask, doc, memo)
      return
    }
    // The columns and `rest` are written separately: one string for the row would be a rope V8 has
    // to flatten (copy) before encoding it.
    const head = walHead(tsUs, seq, index, id, mask, doc)
    const part = splitOf(doc, mask)
    const restJson = part === undefined ? restText(doc, mask) : ownRestText(doc, mask)
    const rest = restJson === null ? null : wellFormedJson(restJson)
    const tail = walShared(part, this.shared)
    // UTF-8 takes at most 3 bytes per UTF-16 unit
    const max = (head.length + (rest === null ? 0 : rest.length) + tail.length) * 3 + 3
    if (this.len + max > this.buf.length) this.grow(max)
    this.len += this.buf.write(head, this.len)
    if (rest !== null) {
      this.buf[this.len++] = QUOTE_BYTE
      this.len += this.buf.write(rest, this.len)
      this.buf[this.len++] = QUOTE_BYTE
    }
    this.len += this.buf.write(tail, this.len)
    this.buf[this.len++] = NL_BYTE
  }

  /**
   * fast path: a document whose `rest` is only a shared `kubernetes` object (row.ts shareValue; the
   * common Fluent Bit record): that object's column fields and its shared part's reference (and, at
   * its first row in the request, its text) are copied as bytes made once (measured: 2.2 → 1.2–1.3
   * µs/row of WAL row making, encoding included). Same bytes as `row` and walRow.
   */
  private sharedRow(
    tsUs: number,
    seq: number,
    index: string,
    id: string | null,
    mask: number,
    doc: Record<string, unknown>,
    memo: SharedMemo,
  ): void {
    const own =
      `${mask & M.stream ? field(doc.stream as string) : ''}${SEP}${mask & M.level ? field(doc.level as string) : ''}${SEP}` +
      `${mask & M.log ? field(doc.log as string) : mask & M.message ? field(doc.message as string) : ''}${SEP}` +
      `${mask & M.log ? MKEY_LOG : mask & M.message ? MKEY_MESSAGE : ''}${SEP}${mask & M.time ? field(doc.time as string) : ''}${SEP}`
    this.writeShared(tsUs, seq, index, id, mask, doc.kubernetes as Record<string, unknown>, memo, own, 0, 0)
  }

  /**
   * The row of a document es/source-transcode.ts transcoded: its column bytes, and its own `rest`
   * field if it has one, were made from the request body (`own[start, end)`: stream, level, message,
   * message key, time, rest); its `kubernetes` is a shared object. Same bytes as sharedRow or row for
   * the document.
   */
  encodedRow(
    tsUs: number,
    seq: number,
    index: string,
    id: string | null,
    mask: number,
    kubernetes: Record<string, unknown>,
    own: Buffer,
    start: number,
    end: number,
  ): void {
    const memo = shared.get(kubernetes)
    if (memo === undefined) throw new Error('encodedRow: the kubernetes object is not shared')
    this.writeShared(tsUs, seq, index, id, mask, kubernetes, memo, own, start, end)
  }

  /**
   * A row whose `kubernetes` is a shared object: ts, seq and the index as bytes (no number-to-string
   * conversions and no rope to flatten), the object's column fields and shared part as bytes made once
   * (SharedWal), and the document's own fields between them: a string (sharedRow) or bytes
   * own[start, end) (encodedRow).
   */
  private writeShared(
    tsUs: number,
    seq: number,
    index: string,
    id: string | null,
    mask: number,
    kubernetes: Record<string, unknown>,
    memo: SharedMemo,
    own: string | Buffer,
    start: number,
    end: number,
  ): void {
    if (index !== lastSharedIndex) {
      lastSharedIndex = index
      lastSharedIndexBytes = Buffer.from(`${field(index)}${SEP}`)
    }
    const wal = (memo.wal ??= sharedWal(kubernetes, mask, memo))
    const first = wal.kid !== null && !this.shared.has(wal.kid)
    if (first) this.shared.set(wal.kid!, memo.part!.text)
    const tail = first ? wal.first : wal.again
    const idField = id === null ? '' : field(id)
    // UTF-8 takes at most 3 bytes per UTF-16 unit
    const ownMax = typeof own === 'string' ? own.length * 3 : end - start
    const max = 2 * 17 + lastSharedIndexBytes.length + idField.length * 3 + wal.cols.length + ownMax + tail.length + 2
    if (this.len + max > this.buf.length) this.grow(max)
    const buf = this.buf
    let o = writeDigits(buf, this.len, tsUs)
    buf[o++] = SEP_BYTE
    o = writeDigits(buf, o, seq)
    buf[o++] = SEP_BYTE
    buf.set(lastSharedIndexBytes, o)
    o += lastSharedIndexBytes.length
    if (id !== null) o += buf.write(idField, o)
    buf[o++] = SEP_BYTE
    buf.set(wal.cols, o)
    o += wal.cols.length
    o += typeof own === 'string' ? buf.write(own, o) : own.copy(buf, o, start, end)
    buf.set(tail, o)
    o += tail.length
    buf[o++] = NL_BYTE
    this.len = o
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len)
  }
}

const K8S_COLUMNS = M.ns | M.pod | M.ctr | M.host
/** WAL row buffers of requests (WalWriter), reused: a request's rows are ≈0.7 MB for 2,000 Fluent Bit records. */
const walBuffers = new BufferPool({ buffers: 8, bufferBytes: 8 * 1024 * 1024, totalBytes: 32 * 1024 * 1024 })
const EMPTY = Buffer.alloc(0)
const SEP_BYTE = 1
let lastSharedIndex = ''
let lastSharedIndexBytes = Buffer.alloc(0)

/** Writes `n` as `${n}` would at `off` (digit by digit when a non-negative safe integer); returns the offset after it. */
export function writeDigits(buf: Buffer, off: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return off + buf.write(String(n), off)
  let digits = 1
  for (let p = 10; p <= n; p *= 10) digits++
  let i = off + digits
  do {
    const q = Math.floor(n / 10)
    buf[--i] = 48 + (n - q * 10)
    n = q
  } while (n > 0)
  return off + digits
}

/**
 * The memo of `doc.kubernetes` when it is a shared object and nothing else of `doc` stays in `rest`
 * (every other key was moved to a column); else undefined.
 */
function onlySharedRest(doc: Record<string, unknown>, mask: number): SharedMemo | undefined {
  const k = doc.kubernetes
  if (k === null || typeof k !== 'object') return undefined
  const memo = shared.get(k)
  if (memo === undefined) return undefined
  for (const key in doc) {
    if (key === 'kubernetes') continue
    const bit = topColumnBit(key)
    if (bit !== 0 ? mask & bit : doc[key] === undefined) continue
    return undefined
  }
  return memo
}

/**
 * WAL bytes of a shared `kubernetes` object in a document with nothing else in `rest` (WalWriter
 * sharedRow): the ns, pod, ctr and host fields each with its separator; and what follows the `time`
 * field's separator: the row's own `rest` (always empty: NULL), `kid` and `kr` — with the shared
 * part's text (`first`, its first row in a request) or without (`again`).
 */
interface SharedWal {
  cols: Buffer
  kid: string | null
  first: Buffer
  again: Buffer
}

/** The WAL bytes of a shared `kubernetes` object (SharedMemo.wal); `mask` has its column bits. */
function sharedWal(k: Record<string, unknown>, mask: number, memo: SharedMemo): SharedWal {
  const cols =
    `${mask & M.ns ? field(k.namespace_name as string) : ''}${SEP}${mask & M.pod ? field(k.pod_name as string) : ''}${SEP}` +
    `${mask & M.ctr ? field(k.container_name as string) : ''}${SEP}${mask & M.host ? field(k.host as string) : ''}${SEP}`
  const part = sharedPart(k, memo)
  if (part === null) {
    const none = Buffer.from(SEP + SEP)
    return { cols: Buffer.from(cols), kid: null, first: none, again: none }
  }
  return {
    cols: Buffer.from(cols),
    kid: part.kid,
    first: Buffer.from(`${SEP}${part.kid}${SEP}${QUOTE}${part.text}${QUOTE}`),
    again: Buffer.from(`${SEP}${part.kid}${SEP}`),
  }
}

let lastCsvIndex = ''
let lastCsvIndexField = ''

/** Caches the day string of the last timestamp's UTC day (rows arrive mostly in time order). */
export class DayCache {
  private start = 0
  private end = -1
  private day = ''
  of(us: number): string {
    if (us >= this.start && us < this.end) return this.day
    const ms = Math.floor(us / 1000)
    this.day = new Date(ms).toISOString().slice(0, 10)
    this.start = Date.parse(`${this.day}T00:00:00Z`) * 1000
    this.end = this.start + 86_400_000_000
    return this.day
  }
}

/** A stored row read back, as the query API returns it. */
export interface StoredRow {
  ts: number
  seq: number
  idx: string
  ns: string | null
  pod: string | null
  ctr: string | null
  host: string | null
  stream: string | null
  level: string | null
  msg: string | null
  mkey: number | null
  time: string | null
  id: string | null
  rest: string | null
}

/** The record's fields as ingested (columns put back where they came from). */
export function rowToRecord(r: StoredRow): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (r.msg !== null) out[r.mkey === MKEY_MESSAGE ? 'message' : 'log'] = r.msg
  if (r.stream !== null) out.stream = r.stream
  if (r.level !== null) out.level = r.level
  if (r.time !== null) out.time = r.time
  const parsed: unknown = r.rest ? JSON.parse(r.rest) : {}
  // A rest that was not an object (never written by this version; kept as text by older loads).
  const rest = (
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { _rest: parsed }
  ) as Record<string, unknown>
  if (r.ns !== null || r.pod !== null || r.ctr !== null || r.host !== null) {
    const k8s: Record<string, unknown> = {}
    if (r.pod !== null) k8s.pod_name = r.pod
    if (r.ns !== null) k8s.namespace_name = r.ns
    if (r.ctr !== null) k8s.container_name = r.ctr
    if (r.host !== null) k8s.host = r.host
    const prev = rest.kubernetes
    rest.kubernetes = prev && typeof prev === 'object' && !Array.isArray(prev) ? { ...k8s, ...prev } : k8s
  } else if (rest.kubernetes && typeof rest.kubernetes === 'object' && Object.keys(rest.kubernetes).length === 0) {
    delete rest.kubernetes
  }
  for (const key in rest) setOwn(out, key, rest[key])
  return out
}

/** Generated document ids: the row's sequence number in base 36 (ES ids are opaque strings). */
export function seqId(seq: number): string {
  return seq.toString(36)
}

export function parseSeqId(id: string): number | undefined {
  if (!/^[0-9a-z]{1,11}$/.test(id)) return undefined
  const n = Number.parseInt(id, 36)
  return Number.isSafeInteger(n) ? n : undefined
}
