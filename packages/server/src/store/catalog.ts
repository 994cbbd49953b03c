// The field catalog: every leaf path seen in `rest`, as a JSON Pointer (RFC 6901) and its dotted
// display name. The same dotted name can come from different nestings — `{"a":{"b":1}}` and
// `{"a.b":1}` are both `a.b` — so a name maps to every pointer that produced it, and a query on
// `a.b` reads whichever exists (Elasticsearch's `subobjects: false` behaviour, without its mapping
// conflicts: `app` and `app.kubernetes.io/name` are different keys).

import type { FieldType } from './row.ts'

export interface CatalogEntry {
  readonly name: string
  readonly ptr: string
  readonly type: FieldType
}

function escapeSeg(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1')
}

function typeOf(v: unknown): FieldType {
  if (typeof v === 'number') return 'number'
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'string') return 'string'
  return 'object'
}

/** Adds the leaf paths of `obj` to `into` (key `ptr\ttype`). Arrays are leaves. */
export function collectPaths(obj: Record<string, unknown>, into: Map<string, CatalogEntry>, ptr = '', name = ''): void {
  for (const key in obj) {
    const v = obj[key]
    if (v === null || v === undefined) continue
    const p = `${ptr}/${escapeSeg(key)}`
    const n = name ? `${name}.${key}` : key
    if (typeof v === 'object' && !Array.isArray(v)) {
      collectPaths(v as Record<string, unknown>, into, p, n)
      continue
    }
    const type = typeOf(v)
    const k = `${p}\t${type}`
    if (!into.has(k)) into.set(k, { name: n, ptr: p, type })
  }
}

/** All catalog entries, indexed by display name. */
export class Catalog {
  private readonly byKey = new Map<string, CatalogEntry>()
  private readonly byName = new Map<string, CatalogEntry[]>()

  has(key: string): boolean {
    return this.byKey.has(key)
  }

  add(e: CatalogEntry): boolean {
    const key = `${e.ptr}\t${e.type}`
    if (this.byKey.has(key)) return false
    this.byKey.set(key, e)
    const list = this.byName.get(e.name)
    if (list) list.push(e)
    else this.byName.set(e.name, [e])
    return true
  }

  /** Pointers that hold `name` (deduplicated across types). */
  pointers(name: string): string[] {
    const list = this.byName.get(name)
    if (!list) return []
    return [...new Set(list.map((e) => e.ptr))]
  }

  types(name: string): FieldType[] {
    return [...new Set((this.byName.get(name) ?? []).map((e) => e.type))]
  }

  /** Names matching a KQL field wildcard (`kubernetes.labels.*`). */
  match(pattern: string): string[] {
    const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`)
    return [...this.byName.keys()].filter((n) => re.test(n))
  }

  names(): string[] {
    return [...this.byName.keys()]
  }

  entries(): CatalogEntry[] {
    return [...this.byKey.values()]
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
