// The field catalog: every leaf path seen in `rest`, as a JSON Pointer (RFC 6901) and its dotted
// display name. The same dotted name can come from different nestings — `{"a":{"b":1}}` and
// `{"a.b":1}` are both `a.b` — so a name maps to every pointer that produced it, and a query on
// `a.b` reads whichever exists (Elasticsearch's `subobjects: false` behaviour, without its mapping
// conflicts: `app` and `app.kubernetes.io/name` are different keys).

import { type FieldType, isShared, M } from './row.ts'

export interface CatalogEntry {
  readonly name: string
  readonly ptr: string
  readonly type: FieldType
}

function escapeSeg(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1')
}

const TYPE_BIT: Record<FieldType, number> = { string: 1, number: 2, boolean: 4, object: 8 }

function typeOf(v: unknown): FieldType {
  if (typeof v === 'number') return 'number'
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'string') return 'string'
  return 'object'
}

interface TrieNode {
  /** Leaf types seen at this path (TYPE_BIT). */
  types: number
  children: Map<string, TrieNode> | null
  readonly ptr: string
  readonly name: string
}

/**
 * Collects leaf paths of documents. fast path: a trie of the keys already seen (each node knows its
 * pointer and name), so a document whose shape is known costs only map lookups; new paths are
 * reported once.
 */
export class PathCollector {
  private readonly root: TrieNode = { types: 0, children: null, ptr: '', name: '' }
  private nodes = 0
  /**
   * Bound on distinct paths: records whose keys are data (`{"user_8812": …}`) would otherwise grow the
   * catalog without end. Paths beyond it are stored (in `rest`) but not known by name to queries.
   */
  readonly maxPaths: number
  /** Paths not learned because of maxPaths (metric). */
  overflow = 0
  /**
   * Shared objects (row.ts shareValue: one pod's metadata in many documents) whose paths are all
   * learned already: not walked again. Their column keys are the same in every document (analyze
   * derives them from the object itself), so one walk holds for all.
   */
  private readonly walkedShared = new WeakSet<object>()

  constructor(maxPaths = 20_000) {
    this.maxPaths = maxPaths
  }

  /**
   * What collect finds in a document whose keys all became columns but a shared `kubernetes` object
   * (es/source-transcode.ts): that object's paths, walked once.
   */
  collectShared(kubernetes: Record<string, unknown>, mask: number, out: CatalogEntry[]): void {
    if (!this.walkedShared.has(kubernetes)) this.collect({ kubernetes }, mask, out)
  }

  /** Walks `doc` (skipping the keys that `mask` moved to columns) and adds new paths to `out`. */
  collect(doc: Record<string, unknown>, mask: number, out: CatalogEntry[]): void {
    this.walk(doc, this.root, out, mask, 0)
  }

  private walk(obj: Record<string, unknown>, node: TrieNode, out: CatalogEntry[], mask: number, depth: number): void {
    for (const key in obj) {
      const v = obj[key]
      if (v === null || v === undefined) continue
      if (depth === 0 && mask !== 0 && skipTop(key, mask)) continue
      if (depth === 1 && mask & (M.ns | M.pod | M.ctr | M.host) && node.name === 'kubernetes' && skipK8s(key, mask))
        continue
      node.children ??= new Map()
      let child = node.children.get(key)
      if (!child) {
        if (this.nodes >= this.maxPaths) {
          this.overflow++
          continue
        }
        this.nodes++
        child = {
          types: 0,
          children: null,
          ptr: `${node.ptr}/${escapeSeg(key)}`,
          name: node.name ? `${node.name}.${key}` : key,
        }
        node.children.set(key, child)
      }
      if (typeof v === 'object' && !Array.isArray(v)) {
        if (depth >= 32) continue
        if (depth === 0 && isShared(v)) {
          if (this.walkedShared.has(v)) continue
          const before = this.overflow
          this.walk(v as Record<string, unknown>, child, out, mask, depth + 1)
          if (this.overflow === before) this.walkedShared.add(v)
          continue
        }
        this.walk(v as Record<string, unknown>, child, out, mask, depth + 1)
        continue
      }
      const type = typeOf(v)
      const bit = TYPE_BIT[type]
      if (child.types & bit) continue
      child.types |= bit
      out.push({ name: child.name, ptr: child.ptr, type })
    }
  }
}

function skipTop(key: string, mask: number): boolean {
  switch (key) {
    case '@timestamp':
      return (mask & M.timestamp) !== 0
    case 'log':
      return (mask & M.log) !== 0
    case 'message':
      return (mask & M.message) !== 0
    case 'stream':
      return (mask & M.stream) !== 0
    case 'level':
      return (mask & M.level) !== 0
    case 'time':
      return (mask & M.time) !== 0
    default:
      return false
  }
}

function skipK8s(key: string, mask: number): boolean {
  switch (key) {
    case 'namespace_name':
      return (mask & M.ns) !== 0
    case 'pod_name':
      return (mask & M.pod) !== 0
    case 'container_name':
      return (mask & M.ctr) !== 0
    case 'host':
      return (mask & M.host) !== 0
    default:
      return false
  }
}

/** Adds every leaf path of `obj` to `into` (keyed `ptr\ttype`); for the fields sample. Arrays are leaves. */
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

  has(e: CatalogEntry): boolean {
    return this.byKey.has(`${e.ptr}\t${e.type}`)
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
