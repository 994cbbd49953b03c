// Parses an Elasticsearch `_bulk` body (Elasticsearch Bulk API: NDJSON, an action/metadata line
// followed by a source line for index/create/update, none for delete). A malformed action line fails
// the whole request with a 400 (as Elasticsearch does); a bad source line fails only its own item.

import { HttpError } from '../http/util.ts'
import { shareValue } from '../store/row.ts'
import { ColumnBytes, EncodedSource, transcodeHead } from './source-transcode.ts'

export type BulkAction = 'index' | 'create' | 'update' | 'delete'

export interface BulkOp {
  readonly action: BulkAction
  /** `_index` from the action line, else the one from the URL path; may be undefined (item fails). */
  readonly index: string | undefined
  readonly id: string | undefined
  /** Parsed source object, or undefined for delete; executeBulk drops it once the row is prepared. */
  doc?: Record<string, unknown>
  /** Instead of `doc`: the source line transcoded (source-transcode.ts); executeBulk drops it too. */
  src?: EncodedSource
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

const K8S_KEY = Buffer.from('"kubernetes":')

interface SuffixEntry {
  readonly bytes: Buffer
  readonly value: Record<string, unknown>
}

/** Tails of one sampled hash: compared byte by byte while few, by their text once many look alike. */
type Bucket = SuffixEntry[] | Map<string, Record<string, unknown>>

/**
 * The parsed `"kubernetes":{…}` tails of recent source lines, by their exact bytes.
 *
 * fast path: Fluent Bit's kubernetes filter appends the pod's metadata (≈600 of ≈840 bytes) as the
 * last key of every record, byte for byte the same for every line of a pod. A line whose tail is
 * already known is parsed without it and gets the tail's parsed object, shared by all those
 * documents (shareValue: nobody modifies a document, and the store caches its `rest` text and
 * catalog walk by that object).
 *
 * Lookup: a hash of 16 words sampled over the tail picks a bucket and a byte compare decides, so a
 * collision costs a compare, never a wrong value. Tails that differ only between the sampled words
 * (pod names differing in one character, without the random ids) share a bucket: past 4 of them
 * the bucket is keyed by the tail's text (one latin1 char per byte, hashed whole by V8). Measured on
 * the Kubernetes workload: 0.5 µs/line less than keying every tail by its text.
 */
export class SuffixCache {
  private readonly buckets = new Map<number, Bucket>()
  private entries = 0
  /** Lengths of the tails found last, most recent first (guess). */
  private readonly lengths: number[] = []
  /** Distinct tails kept; beyond it the cache starts over (pods come and go). */
  readonly maxEntries: number
  hits = 0
  misses = 0

  constructor(maxEntries = 4096) {
    this.maxEntries = maxEntries
  }

  /** The cached value of body[start, end) (whose sampleHash is `hash`), or undefined. */
  get(body: Buffer, start: number, end: number, hash: number): Record<string, unknown> | undefined {
    const bucket = this.buckets.get(hash)
    if (bucket === undefined) return undefined
    if (!Array.isArray(bucket)) return bucket.get(body.toString('latin1', start, end))
    const len = end - start
    for (let i = 0; i < bucket.length; i++) {
      const e = bucket[i]!
      if (e.bytes.length === len && e.bytes.compare(body, start, end) === 0) return e.value
    }
    return undefined
  }

  /**
   * Where the line body[pos, end) has a `"kubernetes":` tail of a recently seen length, or -1.
   * fast path: a few byte compares at the line's end instead of a search from its start (measured:
   * Buffer#indexOf costs ≈0.25 µs a call, mostly its JavaScript wrapper). Only a position: parseSplit
   * checks the rest.
   */
  guess(body: Buffer, pos: number, end: number): number {
    const lengths = this.lengths
    for (let i = 0; i < lengths.length; i++) {
      const k = end - lengths[i]!
      if (k <= pos || body[k] !== 0x22 || body[k + 1] !== 0x6b) continue
      let j = 2
      while (j < K8S_KEY.length && body[k + j] === K8S_KEY[j]) j++
      if (j === K8S_KEY.length) return k
    }
    return -1
  }

  /** Notes the length of a tail just split (guess tries recent lengths first). */
  found(length: number): void {
    const lengths = this.lengths
    if (lengths[0] === length) return
    let i = lengths.indexOf(length)
    if (i < 0) i = Math.min(lengths.length, 15)
    for (; i > 0; i--) lengths[i] = lengths[i - 1]!
    lengths[0] = length
  }

  set(body: Buffer, start: number, end: number, hash: number, value: Record<string, unknown>): void {
    if (this.entries >= this.maxEntries) {
      this.buckets.clear()
      this.entries = 0
    }
    this.entries++
    const bucket = this.buckets.get(hash)
    if (bucket === undefined) this.buckets.set(hash, [{ bytes: Buffer.from(body.subarray(start, end)), value }])
    else if (!Array.isArray(bucket)) bucket.set(body.toString('latin1', start, end), value)
    else if (bucket.length < 4) bucket.push({ bytes: Buffer.from(body.subarray(start, end)), value })
    else {
      const byText = new Map(bucket.map((e) => [e.bytes.toString('latin1'), e.value]))
      byText.set(body.toString('latin1', start, end), value)
      this.buckets.set(hash, byText)
    }
  }
}

/** A hash of body[start, end): its length and 16 words spread over it (a bucket key; see SuffixCache). */
function sampleHash(b: Buffer, start: number, end: number): number {
  const len = end - start
  let h = len
  if (len < 8) return h
  const step = ((len - 4) / 15) | 0
  for (let i = 0, p = start; i < 16; i++, p += step)
    h = Math.imul(h ^ (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)), 0x9e3779b1)
  return h
}

const defaultSuffixes = new SuffixCache()

/** Whether body[a, a+n) equals body[b, b+n). A loop: cheaper than Buffer#compare's call for an action line. */
function sameBytes(body: Buffer, a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (body[a + i] !== body[b + i]) return false
  return true
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * The source line body[pos, end) parsed as the line's `"kubernetes":` tail at `k` (cached) plus the
 * members before it, or undefined when the line does not split so (then it is parsed whole).
 *
 * The split gives what JSON.parse of the whole line gives: the head is parsed as `{…members}` and
 * the tail as `{"kubernetes":…}` with exactly that one key, so both are valid JSON objects; the line
 * is their concatenation. A `"kubernetes":` found inside a string or a nested object leaves an
 * unterminated string or an unbalanced head, which JSON.parse refuses, so such lines take the whole
 * parse. A head that also has a `kubernetes` key gets the tail's value in that key's place, as
 * JSON.parse keeps the first position and the last value.
 */
function parseSplit(
  body: Buffer,
  pos: number,
  k: number,
  end: number,
  cache: SuffixCache,
  columns: ColumnBytes | undefined,
): Record<string, unknown> | EncodedSource | undefined {
  const hash = sampleHash(body, k, end)
  let value = cache.get(body, k, end, hash)
  if (value === undefined) {
    let tail: unknown
    try {
      tail = JSON.parse(`{${body.toString('utf8', k, end)}`)
    } catch {
      return undefined
    }
    if (!isPlainObject(tail)) return undefined
    let n = 0
    for (const _ in tail) n++
    const v = tail.kubernetes
    if (n !== 1 || !isPlainObject(v)) return undefined
    value = shareValue(v)
    cache.set(body, k, end, hash, value)
    cache.misses++
  } else cache.hits++
  // the head: the members before the tail, without the comma that separated them from it
  let h = k - 1
  while (h > pos && (body[h] === 32 || body[h] === 9 || body[h] === 10 || body[h] === 13)) h--
  if (columns !== undefined) {
    const enc = transcodeHead(body, pos, body[h] === 44 ? h : h === pos ? pos : -1, value, columns)
    if (enc !== undefined) {
      cache.found(end - k)
      return enc
    }
  }
  let head: unknown
  try {
    if (body[h] === 44) {
      // `{,"kubernetes":…}` is not JSON, though `{}` is
      let b = h - 1
      while (b > pos && (body[b] === 32 || body[b] === 9 || body[b] === 13)) b--
      if (body[b] === 123) return undefined
      head = JSON.parse(`${body.toString('utf8', pos, h)}}`)
    } else if (body[h] === 123) head = JSON.parse(`${body.toString('utf8', pos, h + 1)}}`)
    else return undefined
  } catch {
    return undefined
  }
  if (!isPlainObject(head)) return undefined
  head.kubernetes = value
  cache.found(end - k)
  return head
}

/**
 * Parses a whole bulk body. Throws HttpError(400) for a malformed action line, as Elasticsearch does.
 * With `transcode` (the default), source lines of the common Fluent Bit shape are transcoded
 * (source-transcode.ts) instead of parsed: their ops carry `src`, not `doc`, written into `columns`
 * (which the caller releases once the ops are executed; without it, a ColumnBytes of their own).
 */
export function parseBulk(
  body: Buffer,
  pathIndex: string | undefined,
  suffixes = defaultSuffixes,
  transcode = true,
  columnBytes?: ColumnBytes,
): BulkOp[] {
  const ops: BulkOp[] = []
  const columns = transcode ? (columnBytes ?? new ColumnBytes(columnBytesFor(body.length))) : undefined
  // fast path: lines are found with memchr on the bytes, and the last action line's parse is reused
  // (clients send the same `{"create":{"_index":"logs-2026.11.22"}}` line for every document).
  let lastStart = 0
  let lastEnd = -1
  let lastMeta: unknown
  let pos = 0
  let line = 0
  const len = body.length
  // the next `"kubernetes":` in the body at or after pos (-1: none left), searched once per occurrence
  let k8s = body.indexOf(K8S_KEY)
  // Lines of other shapes (`kubernetes` not the last key) never split: after 16 such lines without
  // a split in between, the request's remaining lines are parsed whole (the failed tail parse would
  // double their cost).
  let splitFails = 0
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
      if (lastEnd - lastStart === end - pos && sameBytes(body, lastStart, pos, end - pos)) meta = lastMeta
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
    const guess = splitFails < 16 ? suffixes.guess(body, pos, sEnd) : -1
    const guessed = guess >= 0 ? parseSplit(body, pos, guess, sEnd, suffixes, columns) : undefined
    if (guessed !== undefined) {
      splitFails = 0
      pos = sEnd + 1
      ops.push(
        guessed instanceof EncodedSource ? { action, index, id, src: guessed } : { action, index, id, doc: guessed },
      )
      continue
    }
    if (guess >= 0) splitFails++
    if (k8s >= 0 && k8s < pos) k8s = splitFails < 16 ? body.indexOf(K8S_KEY, pos) : -1
    if (k8s >= pos && k8s < sEnd && k8s !== guess) {
      const split = parseSplit(body, pos, k8s, sEnd, suffixes, columns)
      if (split !== undefined) {
        splitFails = 0
        pos = sEnd + 1
        ops.push(split instanceof EncodedSource ? { action, index, id, src: split } : { action, index, id, doc: split })
        continue
      }
      splitFails++
    }
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

/** The ColumnBytes size for a body of `bytes`: about 1/4 of a Fluent Bit line is the columns' text. */
export function columnBytesFor(bytes: number): number {
  return bytes >> 2
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
