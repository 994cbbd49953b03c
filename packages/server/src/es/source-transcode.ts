// fast path of parseBulk for the common Fluent Bit source line: the members before its shared
// `"kubernetes":` tail (bulk-parse.ts SuffixCache) are `@timestamp`, `log` (or `message`), `stream`,
// `level`, `time`, all strings, all of which the store moves to columns. Such a head is read byte by
// byte straight into the bytes its WAL row carries for those columns (row.ts WalWriter), with no
// string, no parsed object and no JSON.parse: measured on the Kubernetes workload, ≈1 µs/record less on
// the JavaScript thread, which bounds `_bulk` throughput.
//
// Anything else — another key, a non-string value, whitespace between tokens, a `\u` escape, a
// control character, a byte outside ASCII in a body that is not valid UTF-8, a duplicate key, both `log` and `message`, a timestamp
// that does not parse — returns undefined, and the line takes the general path (JSON.parse), which
// decides exactly as before (including the error an invalid line gets). So what is stored is the
// same either way: es/source-transcode.test.ts compares the WAL bytes of both paths line by line.

import { isUtf8 } from 'node:buffer'
import { BufferPool } from '../buffer-pool.ts'
import { M, MKEY_LOG, MKEY_MESSAGE, sharedColumnBits } from '../store/row.ts'
import { parseIsoMicros } from '../store/time.ts'

/** A source line transcoded by transcodeHead: its own column bytes, and what the store needs besides. */
export class EncodedSource {
  /** `@timestamp` in epoch microseconds; undefined when the document has none (the store uses now). */
  readonly tsUs: number | undefined
  /** Column mask (row.ts M bits), the shared object's column keys included. */
  readonly mask: number
  /** The shared `kubernetes` object (row.ts shareValue). */
  readonly kubernetes: Record<string, unknown>
  /**
   * bytes[start, end): the stream, level, message, message key and time fields of the WAL row, each
   * with its separator, then its own `rest` field when it has one.
   */
  readonly bytes: Buffer
  readonly start: number
  readonly end: number
  /**
   * A document with the keys of the row's own `rest` (their values: strings), for the field
   * catalog; undefined when all its keys but `kubernetes` became columns.
   */
  readonly restShape: Record<string, unknown> | undefined

  constructor(
    tsUs: number | undefined,
    mask: number,
    kubernetes: Record<string, unknown>,
    bytes: Buffer,
    start: number,
    end: number,
    restShape?: Record<string, unknown>,
  ) {
    this.tsUs = tsUs
    this.mask = mask
    this.kubernetes = kubernetes
    this.bytes = bytes
    this.start = start
    this.end = end
    this.restShape = restShape
  }
}

/**
 * Where transcodeHead writes: one per request (what it writes must outlive the request's body
 * buffer, until the rows are in the WAL). Its buffers come from a pool: `release` gives them back.
 */
export class ColumnBytes {
  buf: Buffer
  len = 0
  /** Whether the request body is valid UTF-8: -1 not known yet (no byte outside ASCII met so far), 0 no, 1 yes. */
  utf8: -1 | 0 | 1 = -1
  /** Every buffer written so far (an earlier one stays in use by the sources written into it). */
  private readonly used: Buffer[] = []

  constructor(size: number) {
    this.buf = columnBuffers.take(Math.max(1024, size))
    this.used.push(this.buf)
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    // a new buffer; the sources written so far keep the old one
    this.buf = columnBuffers.take(Math.max(this.buf.length * 2, n))
    this.used.push(this.buf)
    this.len = 0
  }

  /** Call once no EncodedSource written here is used any more (their rows were made). */
  release(): void {
    for (const b of this.used) columnBuffers.give(b)
    this.used.length = 0
  }
}

/** ColumnBytes buffers, reused (buffer-pool.ts). */
const columnBuffers = new BufferPool({ buffers: 8, bufferBytes: 4 * 1024 * 1024, totalBytes: 16 * 1024 * 1024 })

const QUOTE = 0x22
const BACKSLASH = 0x5c
const WAL_QUOTE = 2
const WAL_SEP = 1

// Keys, by the bit they set in `seen`; the order of the WAL fields is fixed by write() below.
const K_TS = 1
const K_LOG = 2
const K_MESSAGE = 4
const K_STREAM = 8
const K_LEVEL = 16
const K_TIME = 32
// Keys that stay in the row's own `rest` (not columns): CRI's partial-line tag, as Fluent Bit's `cri`
// parser (`logtag`) and its built-in `cri` multiline parser (`_p`) leave it in every record.
const K_LOGTAG = 64
const K_P = 128
const REST_KEYS = K_LOGTAG | K_P

/** The key bit of body[s, e) (a key without escapes), or 0 for any other key. */
function keyBit(b: Buffer, s: number, e: number): number {
  switch (e - s) {
    case 3: // log
      return b[s] === 0x6c && b[s + 1] === 0x6f && b[s + 2] === 0x67 ? K_LOG : 0
    case 4: // time
      return b[s] === 0x74 && b[s + 1] === 0x69 && b[s + 2] === 0x6d && b[s + 3] === 0x65 ? K_TIME : 0
    case 5: // level
      return b[s] === 0x6c && b[s + 1] === 0x65 && b[s + 2] === 0x76 && b[s + 3] === 0x65 && b[s + 4] === 0x6c
        ? K_LEVEL
        : 0
    case 2: // _p
      return b[s] === 0x5f && b[s + 1] === 0x70 ? K_P : 0
    case 6: // stream, logtag
      if (b[s] === 0x6c) return sameAscii(b, s, LOGTAG) ? K_LOGTAG : 0
      return b[s] === 0x73 &&
        b[s + 1] === 0x74 &&
        b[s + 2] === 0x72 &&
        b[s + 3] === 0x65 &&
        b[s + 4] === 0x61 &&
        b[s + 5] === 0x6d
        ? K_STREAM
        : 0
    case 7: // message
      return b[s] === 0x6d && sameAscii(b, s, MESSAGE) ? K_MESSAGE : 0
    case 10: // @timestamp
      return b[s] === 0x40 && sameAscii(b, s, TIMESTAMP) ? K_TS : 0
    default:
      return 0
  }
}

const MESSAGE = 'message'
const LOGTAG = 'logtag'
const TIMESTAMP = '@timestamp'

function sameAscii(b: Buffer, s: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (b[s + i] !== text.charCodeAt(i)) return false
  return true
}

/**
 * The end of the JSON string whose first character is at `s` (the index of its closing quote), or a
 * negative number when it is not one transcodeHead takes: -2 at a byte outside ASCII while `special`
 * is SPECIAL_ASCII (the body may still be valid UTF-8: see transcodeHead), -1 for anything else (a
 * `\u` escape, a control character, no closing quote before `limit`). `escaped[0]` is set when it
 * holds an escape.
 */
function stringEnd(b: Buffer, s: number, limit: number, escaped: number[], special: Uint8Array): number {
  for (let i = s; i < limit; i++) {
    // fast path: one table load per byte decides for the common bytes
    const c = b[i]!
    if (special[c] === 0) continue
    if (c === QUOTE) return i
    if (c === BACKSLASH && ESCAPES[b[i + 1]!] === 1) {
      escaped[0] = 1
      i++
      continue
    }
    return c > 0x7e ? -2 : -1
  }
  return -1
}

/** 1 for the bytes stringEnd must look at in an ASCII body: `"`, `\`, control characters, DEL and bytes outside ASCII. */
const SPECIAL_ASCII = new Uint8Array(256).map((_, c) =>
  c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH ? 1 : 0,
)
/**
 * The same for a body that is valid UTF-8: its bytes outside ASCII are parts of whole characters (a
 * quote or backslash byte is never inside one), which JSON strings may hold as they are.
 */
const SPECIAL_UTF8 = new Uint8Array(256).map((_, c) => (c < 0x20 || c === QUOTE || c === BACKSLASH ? 1 : 0))
/** 1 for the characters after `\` that transcodeHead decodes (not `u`). */
const ESCAPES = new Uint8Array(256).map((_, c) => ('"\\/bfnrt'.includes(String.fromCharCode(c)) ? 1 : 0))

/** Buffer's own Latin-1 decoder, without toString's argument checks. */
function latin1(b: Buffer, s: number, e: number): string {
  return (b as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(s, e)
}

// The `YYYY-MM-DDTHH:MM:` of the timestamp parsed last (bytes) and the epoch milliseconds of that minute.
const lastMinute = Buffer.alloc(17)
let lastMinuteMs = Number.NaN

/** Epoch microseconds of the `@timestamp` string body[s, e) (no escapes), as row.ts timestampMicros reads it. */
function timestampAt(b: Buffer, s: number, e: number): number | undefined {
  // fast path: `2026-11-22T07:40:00.123Z` in the same minute as the one before: only the seconds and
  // milliseconds are read (Date.UTC is linear in them, so the minute's start plus them is exact)
  if (e - s === 24 && b[s + 23] === 0x5a && b[s + 10] === 0x54 && b[s + 19] === 0x2e && b[s + 16] === 0x3a) {
    const d0 = b[s + 17]! - 48
    const d1 = b[s + 18]! - 48
    const x = b[s + 20]! - 48
    const y = b[s + 21]! - 48
    const z = b[s + 22]! - 48
    if (d0 >= 0 && d0 <= 5 && d1 >= 0 && d1 <= 9 && x >= 0 && x <= 9 && y >= 0 && y <= 9 && z >= 0 && z <= 9) {
      const ms = (d0 * 10 + d1) * 1000 + x * 100 + y * 10 + z
      let same = !Number.isNaN(lastMinuteMs)
      for (let i = 0; same && i < 17; i++) same = b[s + i] === lastMinute[i]
      if (same) return (lastMinuteMs + ms) * 1000
      const us = parseIsoMicros(latin1(b, s, e))
      if (us === undefined) return undefined
      b.copy(lastMinute, 0, s, s + 17)
      lastMinuteMs = us / 1000 - ms
      return us
    }
  }
  const text = latin1(b, s, e)
  // epoch milliseconds as a string, as timestampMicros reads them
  if (/^\d{1,16}$/.test(text)) return Number(text) * 1000
  return parseIsoMicros(text)
}

/** Copies the JSON string content body[s, e) into out as the text it stands for (escapes decoded). */
function putString(b: Buffer, s: number, e: number, escaped: boolean, out: Buffer, o: number): number {
  if (!escaped) {
    if (e - s > 32) return o + b.copy(out, o, s, e)
    for (let i = s; i < e; i++) out[o++] = b[i]!
    return o
  }
  for (let i = s; i < e; i++) {
    const c = b[i]!
    if (c !== BACKSLASH) {
      out[o++] = c
      continue
    }
    const n = b[++i]!
    out[o++] = n === 0x6e ? 10 : n === 0x74 ? 9 : n === 0x72 ? 13 : n === 0x62 ? 8 : n === 0x66 ? 12 : n
  }
  return o
}

/** A WAL field: the string between WAL quotes (it never holds the WAL quote: no control characters got here). */
function putField(b: Buffer, s: number, e: number, escaped: boolean, out: Buffer, o: number): number {
  out[o++] = WAL_QUOTE
  o = putString(b, s, e, escaped, out, o)
  out[o++] = WAL_QUOTE
  return o
}

const starts = new Int32Array(256)
const ends = new Int32Array(256)
/** Where the member (key and value) of a REST_KEYS key starts, at its key's opening quote. */
const memberStarts = new Int32Array(256)
const esc = [0]

/**
 * The head body[pos, h) of a source line — `{` and the members before its `"kubernetes":` tail, `h`
 * at the comma before that tail (or h === pos: no members) — transcoded into `out`; `kubernetes` is
 * the tail's shared object. undefined when the head is not one this fast path takes.
 */
export function transcodeHead(
  b: Buffer,
  pos: number,
  h: number,
  kubernetes: Record<string, unknown>,
  out: ColumnBytes,
): EncodedSource | undefined {
  if (b[pos] !== 0x7b) return undefined
  const k8sBits = sharedColumnBits(kubernetes)
  if (k8sBits === 0) return undefined
  let seen = 0
  let escapedBits = 0
  let firstRest = 0
  if (h !== pos) {
    if (b[h] !== 0x2c) return undefined
    let i = pos + 1
    for (;;) {
      if (b[i] !== QUOTE) return undefined
      let ke = i + 1
      while (ke < h && b[ke] !== QUOTE && b[ke] !== BACKSLASH) ke++
      const bit = ke < h && b[ke] === QUOTE ? keyBit(b, i + 1, ke) : 0
      if (bit === 0 || seen & bit || b[ke + 1] !== 0x3a || b[ke + 2] !== QUOTE) return undefined
      esc[0] = 0
      let ve = stringEnd(b, ke + 3, h, esc, out.utf8 === 1 ? SPECIAL_UTF8 : SPECIAL_ASCII)
      if (ve === -2 && out.utf8 === -1) {
        // the first byte outside ASCII of this body: if the body is valid UTF-8 (checked once, natively),
        // its characters can be copied as they are (the JSON path would decode and re-encode them to
        // the same bytes); otherwise such lines take the JSON path, which replaces invalid bytes
        out.utf8 = isUtf8(b) ? 1 : 0
        if (out.utf8 === 1) ve = stringEnd(b, ke + 3, h, esc, SPECIAL_UTF8)
      }
      if (ve < 0) return undefined
      seen |= bit
      if (esc[0]) escapedBits |= bit
      starts[bit] = ke + 3
      ends[bit] = ve
      if (bit & REST_KEYS) {
        // its bytes become the rest's JSON text as they are: only if they are what JSON.stringify
        // writes (no escape at all: the input may escape `/`, which JSON.stringify does not)
        if (esc[0]) return undefined
        memberStarts[bit] = i
        if (firstRest === 0) firstRest = bit
      }
      i = ve + 1
      if (i === h) break
      if (b[i] !== 0x2c) return undefined
      i++
    }
  }
  if (seen & K_LOG && seen & K_MESSAGE) return undefined
  let tsUs: number | undefined
  if (seen & K_TS) {
    if (escapedBits & K_TS) return undefined
    // timestampAt reads Latin-1: a timestamp with a character outside ASCII takes the JSON path
    if (out.utf8 === 1) for (let i = starts[K_TS]!; i < ends[K_TS]!; i++) if (b[i]! > 0x7e) return undefined
    tsUs = timestampAt(b, starts[K_TS]!, ends[K_TS]!)
    if (tsUs === undefined || !Number.isFinite(tsUs) || tsUs < 0 || tsUs >= 253402300800000000) return undefined
  }
  // the fields in WAL order (row.ts WalWriter sharedRow): stream, level, message, message key, time
  let mask = k8sBits
  let need = 8
  for (let bit = 1; bit <= K_P; bit <<= 1) if (seen & bit) need += ends[bit]! - starts[bit]! + 2
  // the rest's members, with their keys, quotes and separators
  if (seen & REST_KEYS) need += 32
  out.ensure(need)
  const o0 = out.len
  const buf = out.buf
  let o = o0
  if (seen & K_TS) mask |= M.timestamp
  if (seen & K_STREAM) {
    mask |= M.stream
    o = putField(b, starts[K_STREAM]!, ends[K_STREAM]!, (escapedBits & K_STREAM) !== 0, buf, o)
  }
  buf[o++] = WAL_SEP
  if (seen & K_LEVEL) {
    mask |= M.level
    o = putField(b, starts[K_LEVEL]!, ends[K_LEVEL]!, (escapedBits & K_LEVEL) !== 0, buf, o)
  }
  buf[o++] = WAL_SEP
  const msg = seen & K_LOG ? K_LOG : seen & K_MESSAGE ? K_MESSAGE : 0
  if (msg !== 0) o = putField(b, starts[msg]!, ends[msg]!, (escapedBits & msg) !== 0, buf, o)
  buf[o++] = WAL_SEP
  if (msg === K_LOG) {
    mask |= M.log
    buf[o++] = 48 + MKEY_LOG
  } else if (msg === K_MESSAGE) {
    mask |= M.message
    buf[o++] = 48 + MKEY_MESSAGE
  }
  buf[o++] = WAL_SEP
  if (seen & K_TIME) {
    mask |= M.time
    o = putField(b, starts[K_TIME]!, ends[K_TIME]!, (escapedBits & K_TIME) !== 0, buf, o)
  }
  buf[o++] = WAL_SEP
  // the row's own `rest` (row.ts ownRestText): its members in the document's order, as JSON
  let restShape: Record<string, unknown> | undefined
  const rest = seen & REST_KEYS
  if (rest !== 0) {
    buf[o++] = WAL_QUOTE
    buf[o++] = 0x7b
    const second = rest === REST_KEYS ? REST_KEYS ^ firstRest : 0
    o = putMember(b, memberStarts[firstRest]!, ends[firstRest]! + 1, buf, o)
    if (second !== 0) {
      buf[o++] = 0x2c
      o = putMember(b, memberStarts[second]!, ends[second]! + 1, buf, o)
    }
    buf[o++] = 0x7d
    buf[o++] = WAL_QUOTE
    restShape = REST_SHAPES[rest]
  }
  out.len = o
  return new EncodedSource(tsUs, mask, kubernetes, buf, o0, o, restShape)
}

function putMember(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  for (let i = s; i < e; i++) out[o++] = b[i]!
  return o
}

/** What the field catalog learns from a transcoded document's own `rest` (its keys hold strings). */
const REST_SHAPES: Record<number, Record<string, unknown>> = {
  [K_LOGTAG]: { logtag: '' },
  [K_P]: { _p: '' },
  [K_LOGTAG | K_P]: { logtag: '', _p: '' },
}
