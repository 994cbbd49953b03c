// A record becomes one store row. Kubernetes fields that every query filters on become columns
// (dictionary-compressed, zone-mapped); the message gets its own column for fast `contains()`; all
// other fields stay, losslessly and with their original nesting, in `rest` (JSON text). A field that
// is a number in one record and a string in another is therefore fine, and `app` next to
// `app.kubernetes.io/name` never conflicts (they are different JSON keys; see catalog.ts).
//
// The row is written to the write-ahead log as one NDJSON line and loaded from there into DuckDB with
// read_json (store.ts), so this file defines the line format too.

import { dayOf, parseIsoMicros } from './time.ts'

/** Where `msg` came from: the `log` key (Fluent Bit tail) or `message` (most other shippers). */
export const MKEY_LOG = 1
export const MKEY_MESSAGE = 2

/** Column list and DuckDB types of a WAL line, in table order (read_json `columns`). */
export const ROW_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['ts', 'BIGINT'],
  ['seq', 'BIGINT'],
  ['idx', 'VARCHAR'],
  ['ns', 'VARCHAR'],
  ['pod', 'VARCHAR'],
  ['ctr', 'VARCHAR'],
  ['host', 'VARCHAR'],
  ['stream', 'VARCHAR'],
  ['level', 'VARCHAR'],
  ['msg', 'VARCHAR'],
  ['mkey', 'UTINYINT'],
  ['id', 'VARCHAR'],
  ['rest', 'JSON'],
]

/** Kubernetes metadata keys (Fluent Bit's kubernetes filter) kept as columns. */
const K8S_COLUMNS: ReadonlyArray<readonly [string, 'ns' | 'pod' | 'ctr' | 'host']> = [
  ['namespace_name', 'ns'],
  ['pod_name', 'pod'],
  ['container_name', 'ctr'],
  ['host', 'host'],
]

export type FieldType = 'string' | 'number' | 'boolean' | 'object'

export interface RowFields {
  ns: string | null
  pod: string | null
  ctr: string | null
  host: string | null
  stream: string | null
  level: string | null
  msg: string | null
  mkey: number | null
  rest: Record<string, unknown> | null
}

export interface BuiltRow {
  readonly line: string
  readonly day: string
  readonly tsUs: number
}

/**
 * Splits a record body into columns and `rest`. Does not modify `body`. The timestamp is taken from
 * `tsUs` when given (forward and OTLP carry their own), else from `@timestamp` (ISO 8601 or epoch
 * millis, as Elasticsearch reads it), else `fallbackUs` (ingest time).
 */
export function splitRecord(body: Record<string, unknown>): { fields: RowFields; timestamp: unknown } {
  const rest: Record<string, unknown> = {}
  const f: RowFields = {
    ns: null,
    pod: null,
    ctr: null,
    host: null,
    stream: null,
    level: null,
    msg: null,
    mkey: null,
    rest: null,
  }
  let timestamp: unknown
  let n = 0
  for (const key in body) {
    const v = body[key]
    if (key === '@timestamp' && (typeof v === 'string' || typeof v === 'number')) {
      timestamp = v
      continue
    }
    if (key === 'kubernetes' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const k8s = v as Record<string, unknown>
      let copy: Record<string, unknown> | null = null
      for (const [src, col] of K8S_COLUMNS) {
        const kv = k8s[src]
        if (typeof kv !== 'string') continue
        f[col] = kv
        copy ??= { ...k8s }
        delete copy[src]
      }
      const kept = copy ?? k8s
      // An emptied `kubernetes` object is dropped; display puts the keys back (see rowToRecord).
      if (copy === null || Object.keys(copy).length > 0) {
        rest[key] = kept
        n++
      }
      continue
    }
    if (typeof v === 'string') {
      if (key === 'log' && f.mkey !== MKEY_LOG) {
        if (f.mkey === MKEY_MESSAGE) {
          // `message` came first; `log` wins (Fluent Bit's name), `message` goes back to rest.
          rest.message = f.msg
          n++
        }
        f.msg = v
        f.mkey = MKEY_LOG
        continue
      }
      if (key === 'message' && f.mkey === null) {
        f.msg = v
        f.mkey = MKEY_MESSAGE
        continue
      }
      if (key === 'stream' && f.stream === null) {
        f.stream = v
        continue
      }
      if (key === 'level' && f.level === null) {
        f.level = v
        continue
      }
    }
    rest[key] = v
    n++
  }
  f.rest = n > 0 ? rest : null
  return { fields: f, timestamp }
}

/** Epoch microseconds of an Elasticsearch `@timestamp` value, or undefined. */
export function timestampMicros(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000) // epoch_millis
  if (typeof v === 'string') {
    if (/^\d{1,16}$/.test(v)) return Number(v) * 1000
    return parseIsoMicros(v)
  }
  return undefined
}

/** The WAL line (NDJSON, with trailing newline) of one row. */
export function rowLine(tsUs: number, seq: number, index: string, id: string | null, f: RowFields): string {
  return (
    JSON.stringify({
      ts: tsUs,
      seq,
      idx: index,
      ns: f.ns,
      pod: f.pod,
      ctr: f.ctr,
      host: f.host,
      stream: f.stream,
      level: f.level,
      msg: f.msg,
      mkey: f.mkey,
      id,
      rest: f.rest,
    }) + '\n'
  )
}

/** Caches the day string of the last timestamp's UTC day (rows arrive mostly in time order). */
export class DayCache {
  private start = 0
  private end = -1
  private day = ''
  of(us: number): string {
    if (us >= this.start && us < this.end) return this.day
    this.day = dayOf(us)
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
  id: string | null
  rest: string | null
}

/** The record's fields as ingested (columns put back where they came from). */
export function rowToRecord(r: StoredRow): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (r.msg !== null) out[r.mkey === MKEY_MESSAGE ? 'message' : 'log'] = r.msg
  if (r.stream !== null) out.stream = r.stream
  if (r.level !== null) out.level = r.level
  const rest = r.rest ? (JSON.parse(r.rest) as Record<string, unknown>) : {}
  if (r.ns !== null || r.pod !== null || r.ctr !== null || r.host !== null) {
    const k8s: Record<string, unknown> = {}
    if (r.pod !== null) k8s.pod_name = r.pod
    if (r.ns !== null) k8s.namespace_name = r.ns
    if (r.ctr !== null) k8s.container_name = r.ctr
    if (r.host !== null) k8s.host = r.host
    const prev = rest.kubernetes
    rest.kubernetes = prev && typeof prev === 'object' && !Array.isArray(prev) ? { ...k8s, ...prev } : k8s
  }
  return Object.assign(out, rest)
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
