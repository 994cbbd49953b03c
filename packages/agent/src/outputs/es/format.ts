// The pure formatter of the `es`/`opensearch` outputs: records → Elasticsearch bulk NDJSON
// (Elasticsearch reference, "Bulk API": one action line, then one source line, each ending in \n).
// No network, no clock except the `nowSec` argument, so it is table-tested (STYLE.md §9, after
// fluent-bit/plugins/out_es/es.c `elasticsearch_format` and its test_formatter).

import { hash } from 'node:crypto'
import type { LogEvent } from '@sluice/core/record.ts'
import type { RawWrite } from '../../format/json-records.ts'
import { compileAccessor, compileTemplate, type Template } from './record-accessor.ts'
import { strftimeUtc } from './strftime.ts'

export type WriteOperation = 'create' | 'index' | 'update' | 'upsert'

export interface FormatConfig {
  readonly index: string
  readonly type: string
  readonly suppressTypeName: boolean
  readonly targetIndex?: Template
  readonly logstashFormat: boolean
  readonly logstashPrefix: string
  readonly logstashPrefixKey?: Template
  readonly logstashPrefixSeparator: string
  readonly logstashDateformat: string
  readonly timeKey: string
  readonly timeKeyFormat: string
  readonly timeKeyNanos: boolean
  readonly includeTagKey: boolean
  readonly tagKey: string
  readonly generateId: boolean
  readonly idKey?: Template
  readonly writeOperation: WriteOperation
  readonly replaceDots: boolean
  readonly currentTimeIndex: boolean
  /** Memo of the last strftime results (records of a batch share their second and their day). */
  readonly memo: { tkSec: number; tkBase: string; dateSec: number; date: string; actionIndex: string; action: string }
  /** Generate_ID's ids already given to records (kept with the record objects). */
  readonly ids: GeneratedIds
}

/** The option values the formatter reads, in the option table's spelling. */
export interface FormatOptions {
  index?: string
  type?: string
  suppress_type_name?: boolean
  target_index?: string
  logstash_format?: boolean
  logstash_prefix?: string
  logstash_prefix_key?: string
  logstash_prefix_separator?: string
  logstash_dateformat?: string
  time_key?: string
  time_key_format?: string
  time_key_nanos?: boolean
  include_tag_key?: boolean
  tag_key?: string
  generate_id?: boolean
  id_key?: string
  write_operation?: WriteOperation
  replace_dots?: boolean
  current_time_index?: boolean
}

/** Builds the formatter's configuration; defaults are Fluent Bit's. Throws on a bad accessor. */
export function formatConfig(o: FormatOptions): FormatConfig {
  return {
    index: o.index ?? 'fluent-bit',
    type: o.type ?? '_doc',
    suppressTypeName: o.suppress_type_name ?? false,
    targetIndex: o.target_index ? compileTemplate(o.target_index) : undefined,
    logstashFormat: o.logstash_format ?? false,
    logstashPrefix: o.logstash_prefix ?? 'logstash',
    logstashPrefixKey: o.logstash_prefix_key ? compileAccessor(o.logstash_prefix_key) : undefined,
    logstashPrefixSeparator: o.logstash_prefix_separator ?? '-',
    logstashDateformat: o.logstash_dateformat ?? '%Y.%m.%d',
    timeKey: o.time_key ?? '@timestamp',
    timeKeyFormat: o.time_key_format ?? '%Y-%m-%dT%H:%M:%S',
    timeKeyNanos: o.time_key_nanos ?? false,
    includeTagKey: o.include_tag_key ?? false,
    tagKey: o.tag_key ?? 'flb-key',
    generateId: o.generate_id ?? false,
    idKey: o.id_key ? compileAccessor(o.id_key) : undefined,
    writeOperation: o.write_operation ?? 'create',
    replaceDots: o.replace_dots ?? false,
    currentTimeIndex: o.current_time_index ?? false,
    memo: { tkSec: Number.NaN, tkBase: '', dateSec: Number.NaN, date: '', actionIndex: '', action: '' },
    ids: new GeneratedIds(),
  }
}

export interface BulkItem {
  readonly event: LogEvent
  /** The bulk action sent: `create`, `index` or `update` (upsert is `update` with doc_as_upsert). */
  readonly action: 'create' | 'index' | 'update'
  readonly index: string
  readonly id?: string
  /** Action line and source line, each ending in `\n`. Empty when `invalid` is set. */
  readonly payload: string
  /** Why this record cannot be sent at all (it is dead-lettered with this reason). */
  readonly invalid?: string
}

/**
 * Deterministic document id for Generate_ID: the first 128 bits of SHA-256 over the tag, the record
 * time (seconds and nanoseconds) and the record's JSON, written as a UUID. The same record re-sent by
 * a retry, a split or a restart gets the same id, so `create` answers 409 instead of duplicating it.
 * Records identical in tag, time and content within one batch are told apart by `formatItems`
 * (see `GeneratedIds`); this function gives the first one's id.
 */
export function documentId(tag: string, e: LogEvent, bodyJson = JSON.stringify(e.body, jsonReplacer)): string {
  // one-shot hash of one string: several times faster than createHash().update()… per record
  return toUuid(hash('sha256', `${tag}\0${e.sec}.${e.nsec}\0${bodyJson}`))
}

const toUuid = (h: string) =>
  `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`

/**
 * Generate_ID for a batch. Two distinct records can be identical in tag, time and content (a line
 * logged twice within one clock tick): the k-th copy in a batch (k ≥ 1) gets the hash of the first
 * one's id and `#k`, so it is not mistaken for a resend of the first. The id a record got is kept
 * with the record object, so a retry of any subset of the batch re-sends each record under its own id.
 */
export class GeneratedIds {
  private readonly assigned = new WeakMap<LogEvent, { id: string; base: string; k: number }>()

  /** The id of `e`, whose first-copy id is `base`; `seen` counts copies of each base in this batch. */
  idFor(e: LogEvent, base: string, seen: Map<string, number>): string {
    const prev = this.assigned.get(e)
    if (prev) {
      seen.set(prev.base, Math.max(seen.get(prev.base) ?? 0, prev.k + 1))
      return prev.id
    }
    const k = seen.get(base) ?? 0
    seen.set(base, k + 1)
    const id = k === 0 ? base : toUuid(hash('sha256', `${base}#${k}`))
    this.assigned.set(e, { id, base, k })
    return id
  }
}

/** Time_Key's value: strftime(Time_Key_Format) in UTC, then `.mmm` or `.nnnnnnnnn`, then `Z` (as Fluent Bit). */
export function formatTimeKey(
  cfg: Pick<FormatConfig, 'timeKeyFormat' | 'timeKeyNanos'> & Partial<Pick<FormatConfig, 'memo'>>,
  e: LogEvent,
): string {
  let base: string
  const m = cfg.memo
  if (m && m.tkSec === e.sec) base = m.tkBase
  else {
    base = strftimeUtc(cfg.timeKeyFormat, e.sec)
    if (m) {
      m.tkSec = e.sec
      m.tkBase = base
    }
  }
  const frac = cfg.timeKeyNanos
    ? String(e.nsec).padStart(9, '0')
    : String(Math.floor(e.nsec / 1_000_000)).padStart(3, '0')
  return `${base}.${frac}Z`
}

/** The index a record goes to. `nowSec` is used for Current_Time_Index and strftime in Index. */
export function indexFor(cfg: FormatConfig, e: LogEvent, tag: string, nowSec: number): string {
  if (cfg.logstashFormat) {
    let prefix = cfg.logstashPrefix
    if (cfg.logstashPrefixKey) {
      const v = cfg.logstashPrefixKey.render(e.body, tag)
      if (v !== undefined && v !== '') prefix = v.slice(0, 128) // Fluent Bit caps the key's value at 128 bytes
    }
    const t = cfg.currentTimeIndex ? nowSec : e.sec
    const m = cfg.memo
    if (m.dateSec !== t) {
      m.date = strftimeUtc(cfg.logstashDateformat, t)
      m.dateSec = t
    }
    return `${prefix}${cfg.logstashPrefixSeparator}${m.date}`
  }
  if (cfg.targetIndex) {
    const v = cfg.targetIndex.render(e.body, tag)
    if (v !== undefined && v !== '') return v
  }
  return strftimeUtc(cfg.index, nowSec)
}

function replaceDotsDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(replaceDotsDeep)
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k.includes('.') ? k.replace(/\./g, '_') : k] = replaceDotsDeep(x)
    return out
  }
  return v
}

/** JSON for values msgpack/parsers may produce that JSON.stringify cannot: bigint, binary. */
export function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8')
  if (
    v &&
    typeof v === 'object' &&
    (v as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((v as { data?: unknown }).data)
  )
    return Buffer.from((v as { data: number[] }).data).toString('utf8')
  return v
}

/**
 * The document as sent: Time_Key first, then the tag (Include_Tag_Key), then the record (Fluent Bit's
 * order), dots replaced with Replace_Dots. A record that already has the time key or tag key keeps its
 * own value: Fluent Bit would send the key twice, which Elasticsearch rejects.
 */
export function buildDoc(cfg: FormatConfig, e: LogEvent, tag: string): Record<string, unknown> {
  const doc: Record<string, unknown> = {}
  if (!(cfg.timeKey in e.body)) doc[cfg.timeKey] = formatTimeKey(cfg, e)
  if (cfg.includeTagKey && !(cfg.tagKey in e.body)) doc[cfg.tagKey] = tag
  return Object.assign(doc, cfg.replaceDots ? (replaceDotsDeep(e.body) as Record<string, unknown>) : e.body)
}

function stringify(v: unknown): string {
  // fast path without a replacer; the replacer only for what JSON.stringify cannot do alone (bigint)
  // or does wrong (binary as {"0":…})
  try {
    const s = JSON.stringify(v)
    if (!s.includes('{"0":')) return s
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err
  }
  return JSON.stringify(v, jsonReplacer)
}

/** Formats one record. Never throws: a record that cannot be sent carries `invalid`. */
export function formatItem(
  cfg: FormatConfig,
  e: LogEvent,
  tag: string,
  nowSec: number,
  ids?: { gen: GeneratedIds; seen: Map<string, number> },
): BulkItem {
  const index = indexFor(cfg, e, tag, nowSec)
  const action = cfg.writeOperation === 'upsert' ? 'update' : cfg.writeOperation
  const body = cfg.replaceDots ? (replaceDotsDeep(e.body) as Record<string, unknown>) : e.body
  let bodyJson: string
  try {
    bodyJson = stringify(body)
  } catch (err) {
    return {
      event: e,
      action,
      index,
      payload: '',
      invalid: `cannot serialize record as JSON: ${(err as Error).message}`,
    }
  }
  let id: string | undefined
  if (cfg.idKey) id = cfg.idKey.render(e.body, tag)
  else if (cfg.generateId) {
    const base = documentId(tag, e, cfg.replaceDots ? stringify(e.body) : bodyJson)
    id = ids ? ids.gen.idFor(e, base, ids.seen) : base
  }
  if (id === undefined && action === 'update') {
    return {
      event: e,
      action,
      index,
      payload: '',
      invalid: `${cfg.writeOperation} needs an _id but Id_Key found no value in the record`,
    }
  }
  // fast path: build the source line as a string instead of copying the record into a new object
  let head = ''
  if (!(cfg.timeKey in e.body)) head += `${JSON.stringify(cfg.timeKey)}:"${formatTimeKey(cfg, e)}"`
  if (cfg.includeTagKey && !(cfg.tagKey in e.body))
    head += `${head ? ',' : ''}${JSON.stringify(cfg.tagKey)}:${JSON.stringify(tag)}`
  const d = head === '' ? bodyJson : bodyJson === '{}' ? `{${head}}` : `{${head},${bodyJson.slice(1)}`
  const source =
    cfg.writeOperation === 'update'
      ? `{"doc":${d}}`
      : cfg.writeOperation === 'upsert'
        ? `{"doc_as_upsert":true,"doc":${d}}`
        : d
  let actionLine: string
  const m = cfg.memo
  if (id === undefined && m.actionIndex === index && m.action !== '') actionLine = m.action
  else {
    actionLine = `{"${action}":{"_index":${JSON.stringify(index)}${cfg.suppressTypeName ? '' : `,"_type":${JSON.stringify(cfg.type)}`}${id === undefined ? '' : `,"_id":${JSON.stringify(id)}`}}}`
    if (id === undefined) {
      m.actionIndex = index
      m.action = actionLine
    }
  }
  return { event: e, action, index, id, payload: `${actionLine}\n${source}\n` }
}

/** Formats a batch into bulk items (one per record, in order). */
export function formatItems(cfg: FormatConfig, events: readonly LogEvent[], tag: string, nowSec: number): BulkItem[] {
  const out = new Array<BulkItem>(events.length)
  const ids = cfg.generateId && !cfg.idKey ? { gen: cfg.ids, seen: new Map<string, number>() } : undefined
  for (let i = 0; i < events.length; i++) out[i] = formatItem(cfg, events[i]!, tag, nowSec, ids)
  return out
}

/** The bulk request body of items (the invalid ones are left out). */
export function bulkBody(items: readonly BulkItem[]): string {
  let s = ''
  for (const it of items) s += it.payload
  return s
}

/**
 * The bulk request body of items as UTF-8 bytes (the invalid ones are left out): what deliver sends.
 * Written item by item into one buffer, so that a request of a few MB does not become a large string
 * (which only a major GC frees) and then a copy of it in bytes.
 */
export function bulkBodyBytes(items: readonly BulkItem[]): Buffer {
  let bytes = 0
  for (const it of items) bytes += Buffer.byteLength(it.payload)
  const buf = Buffer.allocUnsafe(bytes) as RawWrite
  let at = 0
  for (const it of items) at += buf.utf8Write(it.payload, at)
  return buf
}

/** Records → bulk NDJSON body: the whole formatter in one call. */
export function formatBulk(cfg: FormatConfig, events: readonly LogEvent[], tag: string, nowSec: number): string {
  return bulkBody(formatItems(cfg, events, tag, nowSec))
}
