// Parses an Elasticsearch `_bulk` body (Elasticsearch Bulk API: NDJSON, an action/metadata line
// followed by a source line for index/create/update, none for delete). A malformed action line fails
// the whole request with a 400 (as Elasticsearch does); a bad source line fails only its own item.

import { HttpError } from '../http/util.ts'

export type BulkAction = 'index' | 'create' | 'update' | 'delete'

export interface BulkOp {
  readonly action: BulkAction
  /** `_index` from the action line, else the one from the URL path; may be undefined (item fails). */
  readonly index: string | undefined
  readonly id: string | undefined
  /** Parsed source object, or undefined for delete; executeBulk drops it once the row is prepared. */
  doc?: Record<string, unknown>
  /** Why the source line is unusable (the item fails with document_parsing_exception). */
  readonly docError?: string
}

const ACTIONS = new Set<string>(['index', 'create', 'update', 'delete'])

function isBlank(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]
    if (c !== 32 && c !== 9 && c !== 13) return false
  }
  return true
}

/** Parses a whole bulk body. Throws HttpError(400) for a malformed action line, as Elasticsearch does. */
export function parseBulk(body: Buffer, pathIndex: string | undefined): BulkOp[] {
  const ops: BulkOp[] = []
  // fast path: lines are found with memchr on the bytes, and the last action line's parse is reused
  // (clients send the same `{"create":{"_index":"logs-2026.11.22"}}` line for every document).
  let lastStart = 0
  let lastEnd = -1
  let lastMeta: unknown
  let pos = 0
  let line = 0
  const len = body.length
  while (pos < len) {
    let end = body.indexOf(10, pos)
    if (end < 0) end = len
    line++
    if (isBlank(body, pos, end)) {
      pos = end + 1
      continue
    }
    let meta: unknown
    try {
      if (lastEnd - lastStart === end - pos && body.compare(body, lastStart, lastEnd, pos, end) === 0) meta = lastMeta
      else {
        meta = JSON.parse(body.toString('utf8', pos, end))
        lastStart = pos
        lastEnd = end
        lastMeta = meta
      }
    } catch (e) {
      throw new HttpError(
        400,
        'x_content_parse_exception',
        `Malformed action/metadata line [${line}], expected a JSON object: ${(e as Error).message}`,
      )
    }
    pos = end + 1
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta))
      throw new HttpError(
        400,
        'illegal_argument_exception',
        `Malformed action/metadata line [${line}], expected START_OBJECT`,
      )
    const keys = Object.keys(meta)
    if (keys.length !== 1 || !ACTIONS.has(keys[0]!))
      throw new HttpError(
        400,
        'illegal_argument_exception',
        `Malformed action/metadata line [${line}], expected field [create], [delete], [index] or [update] but found [${keys[0] ?? ''}]`,
      )
    const action = keys[0] as BulkAction
    const params = (meta as Record<string, unknown>)[action]
    if (params === null || typeof params !== 'object' || Array.isArray(params))
      throw new HttpError(
        400,
        'illegal_argument_exception',
        `Malformed action/metadata line [${line}], expected START_OBJECT`,
      )
    const p = params as Record<string, unknown>
    const index = typeof p._index === 'string' ? p._index : pathIndex
    let id: string | undefined
    if (p._id !== undefined && p._id !== null) {
      if (typeof p._id !== 'string' && typeof p._id !== 'number')
        throw new HttpError(
          400,
          'illegal_argument_exception',
          `Malformed action/metadata line [${line}], _id must be a string`,
        )
      id = String(p._id)
    }
    if (action === 'delete') {
      ops.push({ action, index, id })
      continue
    }
    // The source line.
    if (pos >= len)
      throw new HttpError(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n]`)
    let sEnd = body.indexOf(10, pos)
    if (sEnd < 0) sEnd = len
    line++
    const text = body.toString('utf8', pos, sEnd)
    pos = sEnd + 1
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch (e) {
      ops.push({ action, index, id, docError: `[${line}:1] failed to parse: ${(e as Error).message}` })
      continue
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      ops.push({ action, index, id, docError: `[${line}:1] failed to parse: the document is not a JSON object` })
      continue
    }
    ops.push({ action, index, id, doc: doc as Record<string, unknown> })
  }
  return ops
}

/** Elasticsearch's index name rules; the reason when `name` breaks one. */
export function invalidIndexName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty'
  if (name !== name.toLowerCase()) return 'must be lowercase'
  if (name === '.' || name === '..') return "must not be '.' or '..'"
  if (/^[-_+]/.test(name)) return "must not start with '_', '-', or '+'"
  if (/[\\/*?"<>| ,#:]/.test(name))
    return 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]'
  if (Buffer.byteLength(name) > 255) return 'index name is too long, (> 255)'
  return undefined
}
