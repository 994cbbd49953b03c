// The query API's operations (API.md): search with cursor, histogram with split, fields, field
// values and context. Every statement is bounded by a time range (PRODUCT.md: the partitions it
// touches, and DuckDB's zone maps on `ts`), carries the caller's namespace restriction, and takes all
// user text as bound parameters.

import { KqlCompileError, kqlToSql } from '@sluice/core/kql/to-sql.ts'
import type { Principal } from '../auth.ts'
import { HttpError } from '../http/util.ts'
import { COLUMN_FIELDS, FieldResolver, mergeRestSql, type ValueExpr } from '../query/fields.ts'
import { parseQuery } from '../query/kql.ts'
import { type CatalogEntry, collectPaths } from '../store/catalog.ts'
import { mergeRest, parseSeqId, rowToRecord, type StoredRow, seqId } from '../store/row.ts'
import type { Store } from '../store/store.ts'
import { DAY_MICROS, isoMicros, parseTimeBound } from '../store/time.ts'

export type Hit = Record<string, unknown> & { _id: string; _index: string; '@timestamp': string }

const ROW_SELECT = 'epoch_us(ts) AS t, seq, idx, ns, pod, ctr, host, stream, level, msg, mkey, time, id, rest, kid'

/**
 * Rows read with ROW_SELECT get their whole rest back: their own `rest` and their shared part's text
 * (store row.ts SharedPart, by `kid`) joined as ingested. Only for rows returned (hits, context,
 * tail, the fields sample): a few hundred at most, one small query for their distinct parts.
 */
async function withShared(store: Store, rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const ids = new Set<string>()
  for (const r of rows) if (r.kid !== null && r.kid !== undefined) ids.add(String(r.kid))
  if (ids.size === 0) return rows
  const texts = await store.sharedTexts(ids)
  for (const r of rows) {
    if (r.kid === null || r.kid === undefined) continue
    const text = texts.get(String(r.kid))
    // Every load stores a segment's parts with its rows, in one transaction: a missing one is a bug.
    if (text === undefined)
      throw new Error(
        `stored record ${String(r.seq)} references shared part ${String(r.kid)}, which is not in the store`,
      )
    r.rest = mergeRest(r.rest as string | null, text)
  }
  return rows
}

/** A compiled filter: source (day tables), WHERE clause and its parameters. */
export interface Filter {
  readonly fromUs: number
  readonly toUs: number
  readonly src: string
  readonly where: string
  readonly params: unknown[]
  readonly resolver: FieldResolver
  /** FROM source of the range's shared parts (store.sharedSource): rows (id, rest). */
  readonly shared: string
}

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new HttpError(400, 'bad_request', `'${key}' must be a string`)
  return v
}

function int(body: Record<string, unknown>, key: string, def: number, min: number, max: number): number {
  const v = body[key]
  if (v === undefined || v === null) return def
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new HttpError(
      400,
      'bad_request',
      `'${key}' must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    )
  return n
}

/** `ns IN (…)` for a namespace-restricted principal (enforced in SQL, for every statement). */
function restriction(p: Principal, params: unknown[]): string {
  if (!p.namespaces) return 'TRUE'
  if (p.namespaces.length === 0) return 'FALSE'
  params.push(...p.namespaces)
  return `ns IN (${p.namespaces.map(() => '?').join(', ')})`
}

export function timeRange(body: Record<string, unknown>, nowMs: number): { fromUs: number; toUs: number } {
  const fromText = body.from ?? 'now-15m'
  const toText = body.to ?? 'now'
  const fromUs = parseTimeBound(fromText, nowMs)
  if (fromUs === undefined)
    throw new HttpError(400, 'bad_request', `'from' is not a time: ${JSON.stringify(fromText)} (ISO 8601 or now-15m)`)
  const toUs = parseTimeBound(toText, nowMs)
  if (toUs === undefined)
    throw new HttpError(400, 'bad_request', `'to' is not a time: ${JSON.stringify(toText)} (ISO 8601 or now)`)
  if (toUs < fromUs) throw new HttpError(400, 'bad_request', `'to' (${toText}) is before 'from' (${fromText})`)
  return { fromUs, toUs }
}

/** Compiles KQL plus time range plus restriction. Throws HttpError (kql_syntax_error, bad_request). */
export async function compileFilter(
  store: Store,
  p: Principal,
  query: string | undefined,
  fromUs: number,
  toUs: number,
  nowMs: number,
): Promise<Filter> {
  const parsed = parseQuery(query ?? '')
  if ('error' in parsed) throw new HttpError(400, 'kql_syntax_error', parsed.error.message, parsed.error.position)
  const shared = store.sharedSource(fromUs, toUs)
  const resolver = new FieldResolver(store.catalog, nowMs, shared)
  // Rows loaded so far: their shared parts are stored (one transaction with them).
  const loaded = store.appliedSeq
  const compile = () => {
    const params: unknown[] = [fromUs, toUs]
    try {
      return { kql: kqlToSql(parsed.ast, resolver, params), params }
    } catch (e) {
      if (e instanceof KqlCompileError) throw new HttpError(400, 'bad_request', e.message)
      throw e
    }
  }
  let { kql, params } = compile()
  let bound = ''
  if (resolver.needsLookUp()) {
    // Conditions on shared parts: their ids looked up first, then compiled as constant lists; the
    // rows are bounded to those loaded before the look-up (FieldResolver.lookUpShared).
    await resolver.lookUpShared((sql, ps) => store.query(sql, ps))
    ;({ kql, params } = compile())
    bound = ` AND seq <= ${loaded}`
  }
  const ns = restriction(p, params)
  return {
    fromUs,
    toUs,
    src: store.source(fromUs, toUs),
    where: `ts >= make_timestamp(CAST(? AS BIGINT)) AND ts < make_timestamp(CAST(? AS BIGINT)) AND ${kql} AND ${ns}${bound}`,
    params,
    resolver,
    shared,
  }
}

function filterOf(store: Store, p: Principal, body: Record<string, unknown>, nowMs: number): Promise<Filter> {
  const { fromUs, toUs } = timeRange(body, nowMs)
  return compileFilter(store, p, str(body, 'query'), fromUs, toUs, nowMs)
}

export function toStored(r: Record<string, unknown>): StoredRow {
  return {
    ts: Number(r.t as bigint),
    seq: Number(r.seq as bigint),
    idx: r.idx as string,
    ns: r.ns as string | null,
    pod: r.pod as string | null,
    ctr: r.ctr as string | null,
    host: r.host as string | null,
    stream: r.stream as string | null,
    level: r.level as string | null,
    msg: r.msg as string | null,
    mkey: r.mkey as number | null,
    time: r.time as string | null,
    id: r.id as string | null,
    rest: r.rest as string | null,
  }
}

export function toHit(r: StoredRow, fields?: readonly string[]): Hit {
  const rec = rowToRecord(r)
  const hit: Hit = { _id: r.id ?? seqId(r.seq), _index: r.idx, '@timestamp': isoMicros(r.ts) }
  if (!fields) return Object.assign(hit, rec)
  for (const f of fields) {
    if (f === '_id' || f === '_index' || f === '@timestamp') continue
    const v = getPath(rec, f)
    if (v !== undefined) hit[f] = v
  }
  return hit
}

/** Reads a dotted field name from a record, whatever the nesting (`a.b.c` in `{a:{"b.c":1}}`). */
export function getPath(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined
  const o = obj as Record<string, unknown>
  if (name in o) return o[name]
  let i = name.indexOf('.')
  while (i > 0) {
    const head = name.slice(0, i)
    if (head in o) {
      const v = getPath(o[head], name.slice(i + 1))
      if (v !== undefined) return v
    }
    i = name.indexOf('.', i + 1)
  }
  return undefined
}

// ---- cursors ----

function encodeCursor(t: number, seq: number): string {
  return Buffer.from(JSON.stringify([t, seq])).toString('base64url')
}

function decodeCursor(s: string): [number, number] {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]))
      return v as [number, number]
  } catch {
    // fall through
  }
  throw new HttpError(400, 'bad_request', `'after' is not a cursor returned by this API: ${JSON.stringify(s)}`)
}

// ---- search ----

export interface SearchResult {
  total: number
  total_relation: 'eq' | 'gte'
  hits: Hit[]
  after: string | null
  took: number
}

/** Totals are counted exactly up to this many hits (Elasticsearch's track_total_hits default). */
const TOTAL_CAP = 10_000

export async function search(
  store: Store,
  p: Principal,
  body: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<SearchResult> {
  const start = performance.now()
  const f = await filterOf(store, p, body, nowMs)
  const size = int(body, 'size', 100, 0, 10_000)
  const sort = str(body, 'sort') ?? 'desc'
  if (sort !== 'desc' && sort !== 'asc')
    throw new HttpError(400, 'bad_request', `'sort' must be 'desc' or 'asc', got '${sort}'`)
  let fields: string[] | undefined
  if (body.fields !== undefined && body.fields !== null) {
    if (!Array.isArray(body.fields) || body.fields.some((x) => typeof x !== 'string'))
      throw new HttpError(400, 'bad_request', `'fields' must be an array of field names`)
    fields = body.fields as string[]
  }
  const after = str(body, 'after')
  const params = [...f.params]
  let cursorCond = 'TRUE'
  let cursorUs: number | undefined
  if (after) {
    const [t, seq] = decodeCursor(after)
    cursorUs = t
    const cmp = sort === 'desc' ? '<' : '>'
    params.push(t, t, seq)
    cursorCond = `(epoch_us(ts) ${cmp} ? OR (epoch_us(ts) = ? AND seq ${cmp} ?))`
  }
  const exact = body.track_total_hits === true
  const countSql = exact
    ? `SELECT count(*) AS n FROM ${f.src} WHERE ${f.where}`
    : `SELECT count(*) AS n FROM (SELECT 1 FROM ${f.src} WHERE ${f.where} LIMIT ${TOTAL_CAP + 1})`
  // fast path for rare matches: one unordered, early-stopping scan; when it finds at most `size`
  // records it found all of them (one pass gives both the hits and the exact total).
  if (!after && size > 0) {
    const few = await store.query(`SELECT ${ROW_SELECT} FROM ${f.src} WHERE ${f.where} LIMIT ${size + 1}`, f.params)
    if (few.length <= size) {
      await withShared(store, few)
      const stored = few.map(toStored)
      stored.sort((a, b) => (a.ts - b.ts || a.seq - b.seq) * (sort === 'desc' ? -1 : 1))
      const last = stored.at(-1)
      return {
        total: stored.length,
        total_relation: 'eq',
        hits: stored.map((r) => toHit(r, fields)),
        after: last && stored.length === size ? encodeCursor(last.ts, last.seq) : null,
        took: Math.round(performance.now() - start),
      }
    }
  }
  const [rows, count] = await Promise.all([
    size === 0 ? Promise.resolve([]) : newestFirst(store, f, size, sort, cursorCond, params, cursorUs),
    store.query(countSql, f.params),
  ])
  let total = Number(count[0]!.n as bigint)
  let relation: 'eq' | 'gte' = 'eq'
  if (!exact && total > TOTAL_CAP) {
    total = TOTAL_CAP
    relation = 'gte'
  }
  const stored = rows.map(toStored)
  const last = stored.at(-1)
  return {
    total,
    total_relation: relation,
    hits: stored.map((r) => toHit(r, fields)),
    after: last && stored.length === size ? encodeCursor(last.ts, last.seq) : null,
    took: Math.round(performance.now() - start),
  }
}

/**
 * A subquery of (v, n[, b]): the field's value, a record count and optionally a time bucket. fast
 * path: a value read from the rest is not computed on every row's JSON where a group of rows shares
 * it — rows are grouped first (by their own `rest`, which repeats for many logs, and by their shared
 * part, one per pod), and the value is computed once per group; a shared part's text only for the few
 * groups, joined after the grouping.
 */
function valueRows(f: Filter, v: ValueExpr, bucketUs?: number): string {
  const b = bucketUs === undefined ? '' : `, epoch_us(ts) // ${bucketUs} AS b`
  const gb = bucketUs === undefined ? '' : ', g.b'
  const shared = `(SELECT DISTINCT id, rest FROM ${f.shared})`
  if (v.kind === 'rest' && v.in === 'own')
    return `SELECT ${v.of('rest')} AS v, n${bucketUs === undefined ? '' : ', b'} FROM (SELECT rest${b}, count(*) AS n FROM ${f.src} WHERE ${f.where} GROUP BY ALL)`
  if (v.kind === 'rest' && v.in === 'shared' && bucketUs === undefined)
    // Grouped by the shared part alone (one key: measured ≈2x faster than grouping by (rest, kid) at
    // 3M rows): a row with a shared part has its value there (its own rest has no `kubernetes`); the
    // rows without one (kid NULL, one group) count their distinct rests in a map, whose keys give
    // their values.
    return `SELECT ${v.of('s.rest')} AS v, g.n FROM g JOIN ${shared} s ON s.id = g.kid
      UNION ALL SELECT ${v.of('r')} AS v, n FROM (SELECT unnest(map_keys(own)) AS r, unnest(map_values(own)) AS n FROM g WHERE own IS NOT NULL)`
  if (v.kind === 'rest')
    return `SELECT ${v.of(mergeRestSql('g.rest', 's.rest'))} AS v, g.n${gb}
      FROM (SELECT rest, kid${b}, count(*) AS n FROM ${f.src} WHERE ${f.where} GROUP BY ALL) g LEFT JOIN ${shared} s ON s.id = g.kid`
  if (!v.shared) return `SELECT ${v.expr} AS v, 1 AS n${b} FROM ${f.src} WHERE ${f.where}`
  // a column whose value can also be in the shared part (a non-string `kubernetes.namespace_name`)
  return `SELECT COALESCE(g.v, ${v.shared('s.rest')}) AS v, g.n${gb}
    FROM (SELECT ${v.expr} AS v, kid${b}, count(*) AS n FROM ${f.src} WHERE ${f.where} GROUP BY ALL) g LEFT JOIN ${shared} s ON s.id = g.kid`
}

/**
 * The WITH clause valueRows needs (empty when none): for a value of the shared part (or of the row's
 * own rest where it has none), the rows grouped by shared part, and the distinct rests of those
 * without one counted. (No JSON per row: measured at 10M rows, extracting the value from every row's
 * own rest, NULL or not, cost ≈35 ms of ≈100.)
 */
function valueWith(f: Filter, v: ValueExpr, bucketUs?: number): string {
  if (v.kind !== 'rest' || v.in !== 'shared' || bucketUs !== undefined) return ''
  return `WITH g AS MATERIALIZED (SELECT kid, count(*) AS n, histogram(rest) FILTER (WHERE kid IS NULL AND rest IS NOT NULL) AS own
    FROM ${f.src} WHERE ${f.where} GROUP BY kid) `
}

/**
 * The first `size` hits in `sort` order. fast path: most searches want the newest hits of a long range,
 * so the newest 1/64 of the range is searched first and the window grows 8x until it holds `size` hits
 * or covers the range: a common word over 10M records reads the newest row groups only.
 */
async function newestFirst(
  store: Store,
  f: Filter,
  size: number,
  sort: 'asc' | 'desc',
  cursorCond: string,
  params: unknown[],
  cursorUs: number | undefined,
): Promise<Record<string, unknown>[]> {
  const dir = sort === 'desc' ? 'DESC' : 'ASC'
  // A cursor narrows the range to what is left after it.
  const from = sort === 'asc' && cursorUs !== undefined ? Math.max(f.fromUs, cursorUs) : f.fromUs
  const to = sort === 'desc' && cursorUs !== undefined ? Math.min(f.toUs, cursorUs + 1) : f.toUs
  const span = to - from
  let w = Math.max(60_000_000, Math.ceil(span / 64))
  for (;;) {
    const whole = w >= span
    const lo = whole || sort === 'asc' ? from : to - w
    const hi = whole || sort === 'desc' ? to : from + w
    // The filter's first two parameters are its time bounds (compileFilter).
    const p = [lo, hi, ...params.slice(2)]
    const rows = await store.query(
      `SELECT ${ROW_SELECT} FROM ${store.source(lo, hi)} WHERE ${f.where} AND ${cursorCond} ORDER BY ts ${dir}, seq ${dir} LIMIT ${size}`,
      p,
    )
    if (rows.length >= size || whole) return withShared(store, rows)
    w *= 8
  }
}

// ---- histogram ----

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const AUTO_STEPS = ['1s', '5s', '10s', '30s', '1m', '5m', '10m', '30m', '1h', '3h', '12h', '1d', '7d']

export function parseInterval(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text)
  if (!m) return undefined
  const n = Number(m[1]) * UNITS_MS[m[2]!]!
  return n > 0 ? n : undefined
}

/** The smallest step that gives at most ~100 buckets over the range. */
export function autoInterval(rangeMs: number): string {
  for (const s of AUTO_STEPS) if (rangeMs / parseInterval(s)! <= 100) return s
  return AUTO_STEPS.at(-1)!
}

export interface HistogramResult {
  interval: string
  intervalMs: number
  buckets: Array<{ t: number; count: number; split?: Record<string, number> }>
}

export async function histogram(
  store: Store,
  p: Principal,
  body: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<HistogramResult> {
  const f = await filterOf(store, p, body, nowMs)
  let interval = str(body, 'interval') ?? 'auto'
  if (interval === 'auto') interval = autoInterval((f.toUs - f.fromUs) / 1000)
  const ivMs = parseInterval(interval)
  if (ivMs === undefined)
    throw new HttpError(400, 'bad_request', `'interval' must be 'auto' or like 10s, 1m, 1h, 1d; got '${interval}'`)
  const ivUs = ivMs * 1000
  const first = Math.floor(f.fromUs / ivUs)
  const last = Math.floor(Math.max(f.fromUs, f.toUs - 1) / ivUs)
  if (last - first + 1 > 20_000)
    throw new HttpError(
      400,
      'bad_request',
      `interval '${interval}' gives ${last - first + 1} buckets over this range (at most 20000); use a larger one`,
    )
  const split = str(body, 'split')
  const splitSize = int(body, 'splitSize', 5, 1, 100)
  const buckets = new Map<number, { t: number; count: number; split?: Record<string, number> }>()
  for (let b = first; b <= last; b++)
    buckets.set(b, { t: (b * ivUs) / 1000, count: 0, ...(split ? { split: {} } : {}) })

  const rows = await store.query(
    `SELECT epoch_us(ts) // ${ivUs} AS b, count(*) AS c FROM ${f.src} WHERE ${f.where} GROUP BY b ORDER BY b`,
    f.params,
  )
  for (const r of rows) {
    const bucket = buckets.get(Number(r.b as bigint))
    if (bucket) bucket.count = Number(r.c as bigint)
  }
  if (split) {
    const v = f.resolver.valueExpr(split)
    if (v) {
      const top = await store.query(
        `${valueWith(f, v)}SELECT v, sum(n) AS c FROM (${valueRows(f, v)}) WHERE v IS NOT NULL GROUP BY v ORDER BY c DESC, v LIMIT ${splitSize}`,
        f.params,
      )
      const values = top.map((r) => String(r.v))
      if (values.length > 0) {
        const params = [...values, ...f.params]
        const rows2 = await store.query(
          `SELECT b, CASE WHEN v IN (${values.map(() => '?').join(', ')}) THEN v ELSE '__other__' END AS s, sum(n) AS c
           FROM (${valueRows(f, v, ivUs)}) WHERE v IS NOT NULL GROUP BY ALL`,
          params,
        )
        for (const r of rows2) {
          const bucket = buckets.get(Number(r.b as bigint))
          if (bucket?.split) bucket.split[String(r.s)] = Number(r.c)
        }
      }
    }
  }
  return { interval, intervalMs: ivMs, buckets: [...buckets.values()] }
}

// ---- fields ----

export interface FieldInfo {
  name: string
  type: 'string' | 'number' | 'boolean' | 'date' | 'object'
  count: number
}

/** How many of the newest matching records the field counts are taken from (as Kibana's sidebar). */
export const FIELD_SAMPLE = 500

export async function fields(
  store: Store,
  p: Principal,
  body: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<{ fields: FieldInfo[]; sampled: number }> {
  const f = await filterOf(store, p, body, nowMs)
  const rows = await newestFirst(store, f, FIELD_SAMPLE, 'desc', 'TRUE', f.params, undefined)
  const counts = new Map<string, number>()
  const types = new Map<string, FieldInfo['type']>()
  for (const r of rows) {
    const rec = rowToRecord(toStored(r))
    const found = new Map<string, CatalogEntry>()
    collectPaths(rec, found)
    const names = new Set<string>()
    for (const e of found.values()) {
      names.add(e.name)
      const prev = types.get(e.name)
      if (!prev || (prev !== 'string' && e.type === 'string')) types.set(e.name, e.type as FieldInfo['type'])
    }
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1)
  }
  const out = new Map<string, FieldInfo>()
  out.set('@timestamp', { name: '@timestamp', type: 'date', count: rows.length })
  out.set('_index', { name: '_index', type: 'string', count: rows.length })
  for (const [name, count] of counts) out.set(name, { name, type: types.get(name) ?? 'string', count })
  // Fields known to the store but absent from the sample are listed with count 0.
  for (const name of [...store.catalog.names(), ...Object.keys(COLUMN_FIELDS)]) {
    if (out.has(name)) continue
    const t = store.catalog.types(name)
    out.set(name, { name, type: (t.includes('string') ? 'string' : (t[0] ?? 'string')) as FieldInfo['type'], count: 0 })
  }
  return {
    fields: [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    sampled: rows.length,
  }
}

// ---- field values ----

export async function fieldValues(
  store: Store,
  p: Principal,
  body: Record<string, unknown>,
  nowMs = Date.now(),
): Promise<{ field: string; total: number; values: Array<{ value: string; count: number }> }> {
  const field = str(body, 'field')
  if (!field) throw new HttpError(400, 'bad_request', `'field' is required`)
  const f = await filterOf(store, p, body, nowMs)
  const size = int(body, 'size', 10, 1, 10_000)
  const prefix = str(body, 'prefix')
  const v = f.resolver.valueExpr(field)
  if (!v) return { field, total: 0, values: [] }
  const params = [...f.params]
  let pre = ''
  if (prefix) {
    params.push(prefix.toLowerCase())
    pre = 'AND starts_with(lower(v), ?)'
  }
  const rows = await store.query(
    `${valueWith(f, v)}SELECT v, sum(n) AS c, sum(sum(n)) OVER () AS total FROM (${valueRows(f, v)})
     WHERE v IS NOT NULL ${pre} GROUP BY v ORDER BY c DESC, v LIMIT ${size}`,
    params,
  )
  return {
    field,
    total: rows.length > 0 ? Number(rows[0]!.total) : 0,
    values: rows.map((r) => ({ value: String(r.v), count: Number(r.c) })),
  }
}

// ---- context ----

export async function context(
  store: Store,
  p: Principal,
  body: Record<string, unknown>,
): Promise<{ hit: Hit; before: Hit[]; after: Hit[] }> {
  const id = str(body, 'id')
  if (!id) throw new HttpError(400, 'bad_request', `'id' is required (a hit's _id)`)
  const nBefore = int(body, 'before', 10, 0, 1000)
  const nAfter = int(body, 'after', 10, 0, 1000)
  const all = store.source(0, Number.MAX_SAFE_INTEGER)
  const rparams: unknown[] = []
  const ns = restriction(p, rparams)
  // A client-given id first; otherwise a generated one (the sequence number, which is zone-mapped).
  let rows = await store.query(`SELECT ${ROW_SELECT} FROM ${all} WHERE id = ? AND ${ns} ORDER BY ts DESC LIMIT 1`, [
    id,
    ...rparams,
  ])
  const seq = parseSeqId(id)
  if (rows.length === 0 && seq !== undefined)
    rows = await store.query(`SELECT ${ROW_SELECT} FROM ${all} WHERE seq = ? AND id IS NULL AND ${ns} LIMIT 1`, [
      seq,
      ...rparams,
    ])
  if (rows.length === 0)
    throw new HttpError(404, 'bad_request', `no record with _id '${id}' (or it is not visible to you)`)
  const hit = toStored((await withShared(store, rows))[0]!)
  // Same stream: namespace + pod + container for Kubernetes records, else same index and host.
  const same: string[] = []
  const sp: unknown[] = []
  if (hit.ns !== null || hit.pod !== null) {
    for (const [col, v] of [
      ['ns', hit.ns],
      ['pod', hit.pod],
      ['ctr', hit.ctr],
    ] as const) {
      same.push(`${col} IS NOT DISTINCT FROM ?`)
      sp.push(v)
    }
  } else {
    same.push('ns IS NULL AND pod IS NULL AND idx = ? AND host IS NOT DISTINCT FROM ?')
    sp.push(hit.idx, hit.host)
  }
  const lo = hit.ts - DAY_MICROS
  const hi = hit.ts + DAY_MICROS
  const src = store.source(lo, hi + 1)
  const base = `ts >= make_timestamp(CAST(? AS BIGINT)) AND ts <= make_timestamp(CAST(? AS BIGINT)) AND ${same.join(' AND ')} AND ${ns}`
  const bparams = [lo, hi, ...sp, ...rparams]
  const [older, newer] = await Promise.all([
    nBefore === 0
      ? Promise.resolve([])
      : store.query(
          `SELECT ${ROW_SELECT} FROM ${src} WHERE ${base} AND (epoch_us(ts) < ? OR (epoch_us(ts) = ? AND seq < ?)) ORDER BY ts DESC, seq DESC LIMIT ${nBefore}`,
          [...bparams, hit.ts, hit.ts, hit.seq],
        ),
    nAfter === 0
      ? Promise.resolve([])
      : store.query(
          `SELECT ${ROW_SELECT} FROM ${src} WHERE ${base} AND (epoch_us(ts) > ? OR (epoch_us(ts) = ? AND seq > ?)) ORDER BY ts ASC, seq ASC LIMIT ${nAfter}`,
          [...bparams, hit.ts, hit.ts, hit.seq],
        ),
  ])
  await withShared(store, [...older, ...newer])
  return {
    hit: toHit(hit),
    before: older
      .map(toStored)
      .reverse()
      .map((r) => toHit(r)),
    after: newer.map(toStored).map((r) => toHit(r)),
  }
}

// ---- tail ----

/** Matching records with `afterSeq < seq <= uptoSeq`, in load order, at most `limit`. */
export async function tailBatch(
  store: Store,
  p: Principal,
  query: string,
  afterSeq: number,
  uptoSeq: number,
  limit: number,
  nowMs = Date.now(),
) {
  // Late records can land in any day, so the whole store is the range; `seq` is zone-mapped and
  // increasing in load order, so only the newest row groups are read.
  const f = await compileFilter(store, p, query, 0, Number.MAX_SAFE_INTEGER, nowMs)
  const rows = await store.query(
    `SELECT ${ROW_SELECT} FROM ${f.src} WHERE seq > ? AND seq <= ? AND ${f.where} ORDER BY seq LIMIT ${limit}`,
    [afterSeq, uptoSeq, ...f.params],
  )
  return (await withShared(store, rows)).map(toStored)
}
