// Field names (as ingested, dotted) → SQL over the store's columns and its `rest` JSON. The only
// text that reaches SQL from here is a column name from the fixed table below or a JSON Pointer from
// the catalog, quoted as a SQL string literal.

import type { SqlFieldRef, SqlFieldResolver } from '@sluice/core/kql/to-sql.ts'
import type { Catalog } from '../store/catalog.ts'
import { MKEY_LOG, MKEY_MESSAGE } from '../store/row.ts'
import { parseTimeBound } from '../store/time.ts'

export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/** Fields stored as columns, with the JSON pointer the same name would have in `rest`. */
export const COLUMN_FIELDS: Record<string, { expr: string; ptr?: string; text?: boolean; type: string }> = {
  '@timestamp': { expr: 'ts', type: 'date' },
  _index: { expr: 'idx', type: 'string' },
  'kubernetes.namespace_name': { expr: 'ns', ptr: '/kubernetes/namespace_name', type: 'string' },
  'kubernetes.pod_name': { expr: 'pod', ptr: '/kubernetes/pod_name', type: 'string' },
  'kubernetes.container_name': { expr: 'ctr', ptr: '/kubernetes/container_name', type: 'string' },
  'kubernetes.host': { expr: 'host', ptr: '/kubernetes/host', type: 'string' },
  stream: { expr: 'stream', ptr: '/stream', type: 'string' },
  level: { expr: 'level', ptr: '/level', type: 'string' },
  time: { expr: 'time', ptr: '/time', type: 'string' },
  log: { expr: `(CASE WHEN mkey = ${MKEY_LOG} THEN msg END)`, ptr: '/log', text: true, type: 'string' },
  message: { expr: `(CASE WHEN mkey = ${MKEY_MESSAGE} THEN msg END)`, ptr: '/message', text: true, type: 'string' },
}

/** The free-text field: whichever of `log`/`message` the record's message came from. */
const FREE_TEXT = '\u0000message'

/**
 * Whether a JSON pointer can be in a row's shared part (store row.ts SharedPart: `{"kubernetes":…}`,
 * split off when Fluent Bit's pod metadata is shared). A row that has a shared part has no
 * `kubernetes` key in its own `rest`, so such a pointer is in exactly one of the two.
 */
export function inSharedPart(ptr: string): boolean {
  return ptr === '/kubernetes' || ptr.startsWith('/kubernetes/')
}

/**
 * SQL of a row's whole rest (as ingested) from its own `rest` text and its shared part's text
 * (`{"kubernetes":…}`, which was the last key): row.ts mergeRest in SQL.
 */
export function mergeRestSql(own: string, shared: string): string {
  return `(CASE WHEN ${shared} IS NULL THEN ${own} WHEN ${own} IS NULL THEN ${shared} ELSE substr(${own}, 1, length(${own}) - 1) || ',' || substr(${shared}, 2) END)`
}

function jsonOf(rest: string, ptrs: readonly string[]): string {
  const json = ptrs.map((p) => `json_extract_string(${rest}, ${sqlString(p)})`)
  return json.length === 1 ? json[0]! : `COALESCE(${json.join(', ')})`
}

/** How the API reads a field's values (field values, histogram split); see api/query.ts valueRows. */
export type ValueExpr =
  /** A value of the row alone (columns and, maybe, its own `rest`); `shared`: of its shared part's `rest`. */
  | { kind: 'row'; expr: string; shared?: (rest: string) => string }
  /**
   * A value of the rest only (`rest`: SQL of that text). `in`: where its pointers can be — the row's own
   * `rest` only, the shared part or the row (never both for one row: see inSharedPart), or, for a name
   * from pointers of both kinds, the whole rest joined.
   */
  | { kind: 'rest'; in: 'own' | 'shared' | 'both'; of: (rest: string) => string }

export class FieldResolver implements SqlFieldResolver {
  /** At most this many shared parts' ids are written into a query as a list (more: a subquery). */
  static maxListedIds = 5000

  private readonly catalog: Catalog
  private readonly nowMs: number
  private readonly sharedFrom: string
  /**
   * Shared-part conditions already looked up (lookUpShared), by condition and parameters: a SQL
   * boolean on `kid` (a constant list of ids), or '' when there were too many ids to list.
   */
  private readonly known = new Map<string, string>()
  /** Shared-part conditions compiled since, not looked up yet. */
  private readonly wanted = new Map<string, { cond: string; params: readonly unknown[] }>()
  /**
   * `sharedFrom`: the FROM source of the shared parts (store.sharedSource) of the range queried: rows
   * (id, rest).
   */
  constructor(catalog: Catalog, nowMs = Date.now(), sharedFrom = 'sluice_empty_shared') {
    this.catalog = catalog
    this.nowMs = nowMs
    this.sharedFrom = sharedFrom
  }

  field(name: string): SqlFieldRef | undefined {
    if (name === FREE_TEXT) return { expr: 'msg', text: true }
    if (name === '_id') return { expr: 'id' }
    const col = COLUMN_FIELDS[name]
    const ptrs = this.catalog.pointers(name)
    if (col) {
      if (col.expr === 'ts') return { expr: 'ts', time: true }
      // A value that was not a string (say a numeric `level`) stayed in `rest` under the same name.
      const extra = col.ptr && ptrs.includes(col.ptr) ? col.ptr : undefined
      if (extra === undefined) return { expr: col.expr, text: col.text }
      const expr = `COALESCE(${col.expr}, ${jsonOf('rest', [extra])})`
      if (!inSharedPart(extra)) return { expr, text: col.text }
      // (A row whose value is in its shared part has NULL in the column: only strings move to columns.)
      return { expr, text: col.text, shared: this.shared({ expr: jsonOf('rest', [extra]), raw: 'rest' }, false) }
    }
    if (ptrs.length === 0) return undefined
    const own: SqlFieldRef = { expr: jsonOf('rest', ptrs), raw: 'rest' }
    const inShared = ptrs.filter(inSharedPart)
    if (inShared.length === 0) return own
    if (inShared.length === ptrs.length)
      return { ...own, shared: this.shared({ expr: jsonOf('rest', ptrs), raw: 'rest' }, true) }
    // One name from pointers in both places (`kubernetes.labels.app` as a top-level key of some
    // record): which one wins depends on their order in the whole rest, so the condition reads the
    // whole rest, put together per row (slow; such names are rare).
    const whole = mergeRestSql('rest', `(SELECT any_value(s.rest) FROM ${this.sharedFrom} s WHERE s.id = kid)`)
    return { expr: jsonOf(whole, ptrs), raw: whole }
  }

  private shared(ref: SqlFieldRef, exclusive: boolean): SqlFieldRef['shared'] {
    return { ref, key: 'kid', from: this.sharedFrom, exclusive, matching: this.matching }
  }

  private readonly matching = (cond: string, params: readonly unknown[]): string | undefined => {
    const key = `${cond}\u0000${JSON.stringify(params)}`
    const known = this.known.get(key)
    if (known === undefined) this.wanted.set(key, { cond, params })
    return known || undefined
  }

  /** Whether conditions on shared parts were compiled that lookUpShared has not looked up. */
  needsLookUp(): boolean {
    return this.wanted.size > 0
  }

  /**
   * Looks up which shared parts meet each condition compiled so far (a query on the small shared
   * table each), so that compiling again tests rows by a constant list of ids: DuckDB evaluates
   * `list_contains([…], kid)` once per distinct id of the dictionary-compressed column, where the
   * `kid IN (SELECT …)` subquery is a hash join probed by every row (measured at 3M rows: a label
   * filter 25–35 → 12–23 ms, a condition all pods meet 60–140 → ≈28 ms; to-sql.ts anyOf combines it
   * with the row's own part). The caller must bound the
   * query to rows loaded before the look-up (their shared parts were stored with them), so that rows
   * of a pod whose metadata arrived since are not judged by a stale list.
   */
  async lookUpShared(query: (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>) {
    for (const [key, w] of this.wanted) {
      // every part with whether it meets the condition, in one statement (one snapshot): a condition
      // every part meets is `kid IS NOT NULL` — the caller bounds the rows to those loaded before this
      // look-up, whose parts are all in the table
      const rows = await query(
        `SELECT id, bool_or((${w.cond}) IS TRUE) AS m FROM ${this.sharedFrom} GROUP BY id`,
        w.params,
      )
      const all = rows.length
      const ids = rows.filter((r) => r.m === true).map((r) => sqlString(r.id as string))
      // each NULL where kid is NULL (SqlSharedRef.matching)
      this.known.set(
        key,
        ids.length === 0
          ? '(CASE WHEN kid IS NOT NULL THEN FALSE END)'
          : ids.length === all
            ? '(CASE WHEN kid IS NOT NULL THEN TRUE END)'
            : ids.length > FieldResolver.maxListedIds
              ? ''
              : `list_contains([${ids.join(', ')}], kid)`,
      )
    }
    this.wanted.clear()
  }

  expand(pattern: string): string[] {
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    )
    const names = new Set(this.catalog.match(pattern))
    for (const n of Object.keys(COLUMN_FIELDS)) if (re.test(n)) names.add(n)
    return [...names]
  }

  defaultFields(): string[] {
    return [FREE_TEXT]
  }

  parseDate(text: string): number | undefined {
    return parseTimeBound(text, this.nowMs)
  }

  /** SQL for a field the API names (field values, split); undefined for unknown fields. */
  valueExpr(name: string): ValueExpr | undefined {
    const f = this.field(name)
    if (!f) return undefined
    if (f.time) return { kind: 'row', expr: `strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ')` }
    if (f.raw !== undefined && COLUMN_FIELDS[name] === undefined) {
      const ptrs = this.catalog.pointers(name)
      const shared = ptrs.filter(inSharedPart).length
      const where = shared === 0 ? 'own' : shared === ptrs.length ? 'shared' : 'both'
      return { kind: 'rest', in: where, of: (rest) => jsonOf(rest, ptrs) }
    }
    const ptr = COLUMN_FIELDS[name]?.ptr
    if (!f.shared || ptr === undefined) return { kind: 'row', expr: f.expr }
    return { kind: 'row', expr: f.expr, shared: (rest) => jsonOf(rest, [ptr]) }
  }
}
