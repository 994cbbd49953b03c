// Executes a parsed `_bulk` request against the store and answers in Elasticsearch's per-item shape
// (Elasticsearch Bulk API response: `took`, `errors`, `items[]` with one `{action: {...}}` each).
// A bad item fails alone with Elasticsearch's error type, reason and status; the good items of the
// same request are stored and acknowledged only once they are durable (WAL fdatasync).

import { randomUUID } from 'node:crypto'
import { seqId, writeDigits } from '../store/row.ts'
import type { PreparedRow, Store } from '../store/store.ts'
import { type BulkOp, invalidIndexName } from './bulk-parse.ts'
import type { IdRegistry } from './ids.ts'

export interface BulkItemError {
  type: string
  reason: string
  index?: string
  index_uuid?: string
  shard?: string
  caused_by?: { type: string; reason: string }
}

export interface BulkItem {
  _index: string | undefined
  _id: string | undefined
  status: number
  _version?: number
  result?: string
  _shards?: { total: number; successful: number; failed: number }
  _seq_no?: number
  _primary_term?: number
  error?: BulkItemError
}

export interface BulkResponse {
  took: number
  errors: boolean
  items: Array<Record<string, BulkItem>>
}

const SHARDS = { total: 1, successful: 1, failed: 0 }
const INDEX_UUID = randomUUID().replaceAll('-', '').slice(0, 22)

function fail(op: BulkOp, status: number, error: BulkItemError): BulkItem {
  return {
    _index: op.index,
    _id: op.id,
    status,
    error: { ...error, index_uuid: INDEX_UUID, shard: '0', index: op.index },
  }
}

export interface BulkContext {
  readonly store: Store
  readonly ids: IdRegistry
  readonly nowUs: number
  /** Counts items that failed, by reason (metrics). */
  readonly onItemError?: (type: string) => void
}

/**
 * `{action: item}`. fast path: one literal per action, so the thousands of wrappers of a request
 * share a shape (a computed key made each one a dictionary the renderer and counter walk slowly).
 */
function wrap(action: BulkOp['action'], it: BulkItem): Record<string, BulkItem> {
  switch (action) {
    case 'create':
      return { create: it }
    case 'index':
      return { index: it }
    case 'update':
      return { update: it }
    case 'delete':
      return { delete: it }
  }
}

let lastIndexName = ''
let lastIndexNameError: string | undefined

/** invalidIndexName of the index name checked last (a request's items mostly share it), else computed. */
function indexNameError(name: string): string | undefined {
  if (name !== lastIndexName) {
    lastIndexNameError = invalidIndexName(name)
    lastIndexName = name
  }
  return lastIndexNameError
}

export async function executeBulk(ops: BulkOp[], ctx: BulkContext): Promise<BulkOutcome> {
  const start = performance.now()
  const items: Array<BulkItem | undefined> = new Array(ops.length)
  const rows: PreparedRow[] = []
  const rowOf: number[] = [] // item index of each row
  const withId: number[] = []

  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!
    if (op.action === 'update' || op.action === 'delete') {
      items[i] = fail(op, 400, {
        type: 'illegal_argument_exception',
        reason: `sluice stores logs append-only: the [${op.action}] bulk action is not supported (use index or create)`,
      })
      continue
    }
    if (op.index === undefined) {
      items[i] = fail(op, 400, {
        type: 'action_request_validation_exception',
        reason: 'Validation Failed: 1: index is missing;',
      })
      continue
    }
    const bad = indexNameError(op.index)
    if (bad) {
      items[i] = fail(op, 400, {
        type: 'invalid_index_name_exception',
        reason: `Invalid index name [${op.index}], ${bad}`,
      })
      continue
    }
    const src = op.src
    if (src !== undefined) {
      // transcoded at parse time (source-transcode.ts): checked there as prepare would check it
      op.src = undefined
      if (op.id !== undefined) withId.push(rows.length)
      const row: PreparedRow = {
        tsUs: src.tsUs ?? ctx.nowUs,
        index: op.index,
        id: op.id ?? null,
        mask: src.mask,
        body: null,
        encoded: src,
      }
      rows.push(row)
      rowOf.push(i)
      continue
    }
    if (op.docError !== undefined || !op.doc) {
      items[i] = fail(op, 400, {
        type: 'document_parsing_exception',
        reason: op.docError ?? 'failed to parse',
        caused_by: { type: 'json_parse_exception', reason: op.docError ?? 'failed to parse' },
      })
      continue
    }
    const prepared = ctx.store.prepare({ body: op.doc, index: op.index, id: op.id ?? null }, ctx.nowUs)
    // The row holds the document now; the store drops it once written (young garbage, cheap to collect).
    op.doc = undefined
    if ('error' in prepared) {
      items[i] = fail(op, 400, { type: prepared.type, reason: prepared.error })
      continue
    }
    if (op.id !== undefined) withId.push(rows.length)
    rows.push(prepared)
    rowOf.push(i)
  }

  let keep: boolean[] = rows.map(() => true)
  let created: boolean[] = rows.map(() => true)
  /** Elasticsearch's `_version` of each row's document after its action (1 when new). */
  let version: number[] = rows.map(() => 1)
  /** Rows that a later `index` action of this request with the same id replaces (written, then deleted). */
  let superseded: number[] = []
  const commit = async (): Promise<number[]> => {
    if (withId.length > 0) {
      const verdict = await ctx.ids.check(
        withId.map((r) => ({ index: rows[r]!.index, id: rows[r]!.id!, create: ops[rowOf[r]!]!.action === 'create' })),
      )
      keep = rows.map(() => true)
      created = rows.map(() => true)
      version = rows.map(() => 1)
      superseded = []
      // The last kept row of each id in this request: a later `index` of the same id replaces it, as
      // Elasticsearch applies a request's actions in order.
      const lastOf = new Map<string, number>()
      withId.forEach((r, k) => {
        const v = verdict[k]!
        const key = `${rows[r]!.index}\u0000${rows[r]!.id}`
        const prev = lastOf.get(key)
        if (v === 'replace') version[r] = prev === undefined ? 2 : version[prev]! + 1
        if (v !== 'conflict') {
          if (prev !== undefined) superseded.push(prev)
          lastOf.set(key, r)
        }
        if (v === 'conflict') {
          keep[r] = false
          const op = ops[rowOf[r]!]!
          items[rowOf[r]!] = fail(op, 409, {
            type: 'version_conflict_engine_exception',
            reason: `[${op.id}]: version conflict, document already exists (current version [1])`,
          })
        } else if (v === 'replace') created[r] = false
      })
      const replaced = withId.filter((r) => !created[r]).map((r) => ({ index: rows[r]!.index, id: rows[r]!.id! }))
      if (replaced.length > 0) await ctx.ids.remove(replaced)
    }
    const kept = rows.filter((_, r) => keep[r])
    const seqs = await ctx.store.commit(kept, 'bulk')
    // the sequence number of each row (-1: not written)
    const seqOf = new Array<number>(rows.length).fill(-1)
    for (let r = 0, j = 0; r < rows.length; r++) if (keep[r]) seqOf[r] = seqs[j++]!
    if (withId.length > 0) {
      const gone = new Set(superseded)
      ctx.ids.remember(
        withId.flatMap((r) =>
          keep[r] && !gone.has(r) ? [{ index: rows[r]!.index, id: rows[r]!.id!, seq: seqOf[r]! }] : [],
        ),
      )
      if (superseded.length > 0) {
        // acknowledged only once the earlier copies are gone (they are durable in the WAL until then)
        await ctx.store.refresh()
        await ctx.store.deleteSeqs(superseded.map((r) => seqOf[r]!))
      }
    }
    return seqOf
  }
  const seqOf = withId.length > 0 ? await ctx.ids.serialize(commit) : await commit()

  // fast path: a stored document without an `_id` of its own (the common case: Fluent Bit, Vector,
  // Filebeat) gets no item object; renderBulk writes its item from its sequence number.
  const seqs = new Array<number>(ops.length).fill(-1)
  let stored = 0
  for (let r = 0; r < rows.length; r++) {
    if (!keep[r]) continue
    stored++
    const seq = seqOf[r]!
    const i = rowOf[r]!
    const op = ops[i]!
    if (op.id === undefined && created[r] && version[r] === 1) {
      seqs[i] = seq
      continue
    }
    const isNew = created[r]
    items[i] = {
      _index: op.index,
      _id: op.id ?? seqId(seq),
      _version: version[r]!,
      result: isNew ? 'created' : 'updated',
      _shards: SHARDS,
      _seq_no: seq,
      _primary_term: 1,
      status: isNew ? 201 : 200,
    }
  }
  let errors = false
  for (const it of items) {
    if (it?.error) {
      errors = true
      ctx.onItemError?.(it.error.type)
    }
  }
  return { took: Math.round(performance.now() - start), errors, stored, ops, items, seqs }
}

/**
 * What executeBulk did, item by item. An item is either in `items` (failures, documents with an
 * `_id`, replacements) or, for a new document without an `_id`, only its sequence number in `seqs`
 * (its `_id` is seqId of it): thousands of such items per request need no object each.
 */
export interface BulkOutcome {
  readonly took: number
  readonly errors: boolean
  /** Items stored (acknowledged). */
  readonly stored: number
  readonly ops: readonly BulkOp[]
  readonly items: ReadonlyArray<BulkItem | undefined>
  /** Per op: its sequence number when its item is not in `items`, else -1. */
  readonly seqs: readonly number[]
}

/** The item of a new document without an `_id`, stored as `seq` (BulkOutcome). */
function createdItem(index: string | undefined, seq: number): BulkItem {
  return {
    _index: index,
    _id: seqId(seq),
    _version: 1,
    result: 'created',
    _shards: SHARDS,
    _seq_no: seq,
    _primary_term: 1,
    status: 201,
  }
}

/** The outcome in Elasticsearch's response shape, one object per item (`?pretty`, tests). */
export function bulkResponse(o: BulkOutcome): BulkResponse {
  return {
    took: o.took,
    errors: o.errors,
    items: o.ops.map((op, i) => wrap(op.action, o.items[i] ?? createdItem(op.index, o.seqs[i]!))),
  }
}

/**
 * The response body, UTF-8: the same text as JSON.stringify(bulkResponse(o)). fast path: written as
 * bytes into one buffer, a new document without an `_id` from bytes made once per action and index
 * plus its sequence number's digits (no string per item, no 300 KB string to encode); other items
 * through a template, or JSON.stringify for failures. Its buffers come from `take` (a pool: the
 * caller gives them back once the response is written out).
 */
export function renderBulk(o: BulkOutcome, take: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const n = o.ops.length
  let buf = take(64 + n * PLAIN_ITEM_MAX) as RawBuffer
  let at = buf.latin1Write(`{"took":${o.took},"errors":${o.errors},"items":[`, 0)
  const room = (k: number) => {
    if (at + k <= buf.length) return
    const grown = take(Math.max(buf.length * 2, at + k)) as RawBuffer
    buf.copy(grown, 0, 0, at)
    buf = grown
  }
  let lastAction = ''
  let lastIndex: string | undefined
  let head = EMPTY
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      room(1)
      buf[at++] = 44 /* , */
    }
    const op = o.ops[i]!
    const it = o.items[i]
    const index = it === undefined ? op.index : it._index
    if (it === undefined && index !== undefined) {
      if (index !== lastIndex || op.action !== lastAction) {
        lastIndex = index
        lastAction = op.action
        head = Buffer.from(`{"${op.action}":{"_index":${JSON.stringify(index)},"_id":"`)
      }
      room(head.length + PLAIN_ITEM_MAX)
      const seq = o.seqs[i]!
      buf.set(head, at)
      at = writeBase36(buf, at + head.length, seq)
      buf.set(CREATED_MIDDLE, at)
      at = writeDigits(buf, at + CREATED_MIDDLE.length, seq)
      buf.set(CREATED_END, at)
      at += CREATED_END.length
      continue
    }
    const text =
      it === undefined || it.error || it._index === undefined || it._id === undefined || it._seq_no === undefined
        ? JSON.stringify(wrap(op.action, it ?? createdItem(index, o.seqs[i]!)))
        : `{"${op.action}":{"_index":${JSON.stringify(it._index)},"_id":${JSON.stringify(it._id)},"_version":${it._version},"result":"${it.result}",` +
          `"_shards":{"total":1,"successful":1,"failed":0},"_seq_no":${it._seq_no},"_primary_term":1,"status":${it.status}}}`
    room(Buffer.byteLength(text))
    at += buf.utf8Write(text, at)
  }
  room(2)
  buf[at++] = 93 /* ] */
  buf[at++] = 125 /* } */
  return buf.subarray(0, at)
}

type RawBuffer = Buffer & {
  latin1Write(s: string, at: number): number
  utf8Write(s: string, at: number): number
}

const EMPTY = Buffer.alloc(0)
const CREATED_MIDDLE = Buffer.from(
  '","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":',
)
const CREATED_END = Buffer.from(',"_primary_term":1,"status":201}}')
/** Bytes of a plain created item besides its head: 11 base-36 and 16 decimal digits at most, and the rest. */
const PLAIN_ITEM_MAX = 160 + CREATED_MIDDLE.length + CREATED_END.length

const BASE36 = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz')

/** Writes `n` as n.toString(36) (row.ts seqId) would at `at`; returns the offset after it. */
function writeBase36(buf: Buffer, at: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return at + buf.write(seqId(n), at, 'latin1')
  let digits = 1
  for (let p = 36; p <= n; p *= 36) digits++
  let i = at + digits
  do {
    const q = Math.floor(n / 36)
    buf[--i] = BASE36[n - q * 36]!
    n = q
  } while (n > 0)
  return at + digits
}
