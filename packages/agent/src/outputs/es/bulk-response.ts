// Reads an Elasticsearch bulk response (Elasticsearch reference, "Bulk API", response body):
//   {"took":3,"errors":true,"items":[{"create":{"_index":"i","_id":"1","status":201,…}},
//                                     {"create":{"_index":"i","status":400,"error":{"type":…,"reason":…}}}]}
// Items come back in request order. A response cut short (a proxy's buffer, a dropped connection:
// Fluent Bit's Buffer_Size trap) still tells the outcome of every item it completed, so the complete
// items are salvaged and only the rest is treated as unknown.

export interface ItemError {
  readonly type: string
  readonly reason: string
  readonly causedBy?: string
}

export interface ItemResult {
  readonly action: string
  readonly status: number
  readonly index?: string
  readonly id?: string
  readonly error?: ItemError
}

export interface BulkResponse {
  /** Item results in request order; fewer than sent when the body was cut short. */
  readonly items: ItemResult[]
  /** The body parsed as a whole (false: items were salvaged from a prefix, or nothing was readable). */
  readonly complete: boolean
  readonly errors?: boolean
}

function toItem(wrapper: unknown): ItemResult | undefined {
  if (!wrapper || typeof wrapper !== 'object') return undefined
  const entries = Object.entries(wrapper as Record<string, unknown>)
  if (entries.length !== 1) return undefined
  const [action, r] = entries[0]!
  if (!r || typeof r !== 'object') return undefined
  const o = r as Record<string, unknown>
  if (typeof o.status !== 'number') return undefined
  let error: ItemError | undefined
  if (o.error && typeof o.error === 'object') {
    const e = o.error as Record<string, unknown>
    const cause = e.caused_by as Record<string, unknown> | undefined
    error = {
      type: String(e.type ?? 'unknown'),
      reason: String(e.reason ?? ''),
      causedBy: cause && typeof cause === 'object' ? `${cause.type}: ${cause.reason}` : undefined,
    }
  } else if (typeof o.error === 'string') {
    error = { type: 'error', reason: o.error }
  }
  return {
    action,
    status: o.status,
    index: typeof o._index === 'string' ? o._index : undefined,
    id: typeof o._id === 'string' ? o._id : undefined,
    error,
  }
}

/** `{"took":N,"errors":false,"items":[` as Elasticsearch and OpenSearch write it (compact, this key order). */
const ALL_OK_HEAD = /^\{"took":\d+,"errors":false,"items":\[/

/**
 * The number of item results in a complete bulk response whose top-level `errors` is false (every
 * operation succeeded: "errors: If true, one or more of the operations in the bulk request did not
 * complete successfully", Bulk API reference), counted without parsing the body; undefined for any
 * other body, which then goes through parseBulkResponse.
 */
// fast path: a successful response is ~200 bytes of JSON per record sent; parsing it into objects cost
// the es output ~8% of its CPU and much of its garbage (measured on the benchmark's es pipeline).
export function countSuccessfulItems(text: string): number | undefined {
  if (!ALL_OK_HEAD.test(text) || !text.endsWith(']}')) return undefined
  // Each result of a successful item has exactly one `status` key. In JSON text the 9 characters
  // `"status":` are a key and nothing else: inside a string value the quotes would be escaped (`\"`).
  // A success result holds no other object with a `status` key (no `error`), so the count is the
  // number of items; a body where it is not (another shape) is parsed in full by the caller.
  // (found by its last 3 characters: V8 searches a short pattern about twice as fast as a 9-character one)
  let n = 0
  for (let i = text.indexOf('s":'); i >= 0; i = text.indexOf('s":', i + 3))
    if (text.charCodeAt(i - 6) === 34 /* " */ && text.startsWith('"status":', i - 6)) n++
  return n
}

/** Parses a bulk response body; never throws. */
export function parseBulkResponse(text: string): BulkResponse {
  try {
    const j = JSON.parse(text) as { items?: unknown; errors?: unknown }
    if (j && typeof j === 'object' && Array.isArray(j.items)) {
      const items: ItemResult[] = []
      for (const w of j.items) {
        const it = toItem(w)
        if (!it) return { items, complete: false }
        items.push(it)
      }
      return { items, complete: true, errors: typeof j.errors === 'boolean' ? j.errors : undefined }
    }
  } catch {
    // cut short or not JSON: salvage below
  }
  return { items: salvageItems(text), complete: false }
}

/**
 * Extracts the complete objects of the top-level `"items":[` array from a body that may end anywhere.
 * A small scanner over JSON tokens (strings with escapes, nesting depth) finds where each element ends.
 */
export function salvageItems(text: string): ItemResult[] {
  const at = text.search(/"items"\s*:\s*\[/)
  if (at < 0) return []
  let i = text.indexOf('[', at) + 1
  const out: ItemResult[] = []
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++
    if (text[i] !== '{') break
    const start = i
    let depth = 0
    let inStr = false
    let end = -1
    for (; i < text.length; i++) {
      const c = text[i]
      if (inStr) {
        if (c === '\\') i++
        else if (c === '"') inStr = false
      } else if (c === '"') inStr = true
      else if (c === '{' || c === '[') depth++
      else if (c === '}' || c === ']') {
        depth--
        if (depth === 0) {
          end = i + 1
          break
        }
      }
    }
    if (end < 0) break // the element was cut: its outcome is unknown
    let item: ItemResult | undefined
    try {
      item = toItem(JSON.parse(text.slice(start, end)))
    } catch {
      item = undefined
    }
    if (!item) break
    out.push(item)
    i = end
  }
  return out
}
