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

export class FieldResolver implements SqlFieldResolver {
  private readonly catalog: Catalog
  private readonly nowMs: number
  constructor(catalog: Catalog, nowMs = Date.now()) {
    this.catalog = catalog
    this.nowMs = nowMs
  }

  field(name: string): SqlFieldRef | undefined {
    if (name === FREE_TEXT) return { expr: 'msg', text: true }
    if (name === '_id') return { expr: 'id' }
    const col = COLUMN_FIELDS[name]
    const ptrs = this.catalog.pointers(name)
    const json = ptrs.map((p) => `json_extract_string(rest, ${sqlString(p)})`)
    if (col) {
      if (col.expr === 'ts') return { expr: 'ts', time: true }
      // A value that was not a string (say a numeric `level`) stayed in `rest` under the same name.
      const extra = col.ptr ? json.filter((_, i) => ptrs[i] === col.ptr) : []
      const expr = extra.length > 0 ? `COALESCE(${col.expr}, ${extra.join(', ')})` : col.expr
      return { expr, text: col.text }
    }
    if (json.length === 0) return undefined
    return { expr: json.length === 1 ? json[0]! : `COALESCE(${json.join(', ')})`, raw: 'rest' }
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

  /**
   * SQL for a field the API names (field-values, split); undefined for unknown fields. `jsonOnly`: the
   * value is read from `rest` alone, so it can be computed once per distinct `rest` (see valueRows).
   */
  valueExpr(name: string): { expr: string; jsonOnly: boolean } | undefined {
    const f = this.field(name)
    if (!f) return undefined
    if (f.time) return { expr: `strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ')`, jsonOnly: false }
    return { expr: f.expr, jsonOnly: f.raw === 'rest' }
  }
}
