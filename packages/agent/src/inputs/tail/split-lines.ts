// Turns one read chunk of a file into records: split on 0x0A, strip a trailing CR, decode, and build
// one record per line (or feed the multiline joiner). One chunk yields one batch.
//
// A line is "long" when it exceeds Buffer_Max_Size bytes; Fluent Bit 5.1 then skips it
// (Skip_Long_Lines), truncates it (Truncate_Long_Lines), or stops reading the file.

import { isAscii } from 'node:buffer'
import type { LogEvent } from '@sluice/core/record.ts'
import type { Parser } from '../../parsers/types.ts'
import type { TailFile } from './tail-file.ts'

export type LongLinePolicy = 'skip' | 'truncate' | 'stop'

export interface LineConfig {
  readonly key: string
  readonly pathKey: string | undefined
  readonly offsetKey: string | undefined
  readonly skipEmpty: boolean
  readonly maxLine: number
  readonly longLines: LongLinePolicy
  readonly parser: Parser | undefined
  /** Set for generic.encoding; UTF-8 otherwise (UTF-16 is per file: TailFile.utf16). */
  readonly decoder: TextDecoder | undefined
}

export interface ChunkResult {
  /** Records complete now (from the joiner when multiline is on). */
  events: LogEvent[]
  /** Absolute offset up to which the chunk was consumed. */
  end: number
  /** Long lines met in this chunk: their start offset and what was done. */
  long: { offset: number; action: LongLinePolicy }[]
  /** Set when a long line stops the file (policy `stop`): the offset of that line. */
  stoppedAt: number | undefined
}

/**
 * The stream a container log line belongs to (CRI `<time> <stream> <tag> <msg>`, Docker JSON
 * `"stream":"stderr"`), so that the joiner gets one group per stream and the lines it holds are
 * always the last ones of their group (which makes the commit point exact). Other lines: one group.
 */
export function streamGroup(text: string): string {
  const sp = text.indexOf(' ')
  if (sp > 0 && sp < 40) {
    if (text.startsWith('stdout ', sp + 1)) return 'stdout'
    if (text.startsWith('stderr ', sp + 1)) return 'stderr'
  }
  if (text.charCodeAt(0) === 123 /* { */) {
    if (text.includes('"stream":"stderr"')) return 'stderr'
    if (text.includes('"stream":"stdout"')) return 'stdout'
  }
  return 'log'
}

/** Index of the last byte that keeps `buf[start, cut)` valid UTF-8 (never splits a character). */
function utf8Cut(buf: Buffer, start: number, cut: number): number {
  let c = cut
  while (c > start && (buf[c]! & 0xc0) === 0x80) c--
  return c
}

/** Buffer's own decoders, without the argument checks of toString() (called per chunk/line). */
type Utf8Sliceable = Buffer & {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

const UTF16LE = new TextDecoder('utf-16le')
const UTF16BE = new TextDecoder('utf-16be')

/**
 * Start of the first UTF-16 newline code unit (U+000A) at or after `from`, at an even distance from
 * it (`from` is always on a code unit boundary), or -1.
 */
function newline16(b: Buffer, from: number, le: boolean): number {
  for (let i = b.indexOf(10, from); i >= 0; i = b.indexOf(10, i + 1)) {
    const unit = le ? i : i - 1
    if (unit < from || ((unit - from) & 1) !== 0) continue
    if (le ? i + 1 < b.length && b[i + 1] === 0 : b[unit] === 0) return unit
  }
  return -1
}

/** UTF-16 byte length that keeps `[start, start + max)` whole code units and surrogate pairs. */
function utf16Cut(b: Buffer, start: number, max: number, le: boolean): number {
  let cut = start + (max & ~1)
  const hi = le ? b[cut - 1]! : b[cut - 2]!
  if (cut - 2 >= start && hi >= 0xd8 && hi <= 0xdb) cut -= 2
  return cut
}

function decode(buf: Buffer, start: number, end: number, decoder: TextDecoder | undefined): string {
  return decoder ? decoder.decode(buf.subarray(start, end)) : (buf as Utf8Sliceable).utf8Slice(start, end)
}

/**
 * Processes `buf[0, n)`, read at `file.readPos`. Complete lines become records; a partial last line
 * is left for the next read (its bytes are read again), unless it is already longer than maxLine.
 */
export function splitChunk(file: TailFile, buf: Buffer, n: number, cfg: LineConfig): ChunkResult {
  const base = file.readPos
  const b = n === buf.length ? buf : buf.subarray(0, n)
  const out: ChunkResult = { events: [], end: base, long: [], stoppedAt: undefined }
  const ms = Date.now()
  const sec = Math.floor(ms / 1000)
  const nsec = (ms % 1000) * 1_000_000
  const events = out.events
  const joiner = file.joiner
  const { key, pathKey, offsetKey, parser, decoder, maxLine, skipEmpty } = cfg
  const utf16 = file.utf16
  const le = utf16 === 'le'
  const plain = !joiner && !parser && !decoder && !utf16 && pathKey === undefined && offsetKey === undefined
  let pos = 0

  if (file.skipping) {
    const nl = utf16 ? newline16(b, 0, le) : b.indexOf(10, 0)
    if (nl < 0) {
      out.end = base + (utf16 ? n & ~1 : n)
      return out
    }
    pos = nl + (utf16 ? 2 : 1)
    file.skipping = false
  }
  if (utf16) {
    // Byte order mark at the start of the file.
    if (base === 0 && pos === 0 && n >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
      pos = 2
    }
  } else {
    // copytruncate leaves zero bytes where the writer kept writing at its old offset; Fluent Bit
    // drops NULs at the head of its buffer too.
    while (pos < n && b[pos] === 0) pos++
  }

  const emitText = (start: number, text: string) => {
    if (joiner) {
      const ev = { sec, nsec, body: { log: text } }
      // fast path: a complete line with nothing pending anywhere (the joiner holds no line, so no
      // start offsets need keeping)
      const one = joiner.pushOne?.(ev)
      if (one !== undefined) {
        events.push(one)
        return
      }
      const group = streamGroup(text)
      let starts = file.held.get(group)
      if (!starts) file.held.set(group, (starts = []))
      starts.push(base + start)
      const done = joiner.push(ev, group)
      for (let i = 0; i < done.length; i++) events.push(done[i]!)
      return
    }
    let body: Record<string, unknown>
    let s = sec
    let ns = nsec
    if (parser) {
      const r = parser.parse(text)
      if (r) {
        if (offsetKey === undefined && pathKey === undefined) body = r.body
        else {
          // Fluent Bit prepends the extra keys to a parsed map: offset_key, then path_key.
          body = {}
          if (offsetKey !== undefined) body[offsetKey] = base + start
          if (pathKey !== undefined) body[pathKey] = file.path
          Object.assign(body, r.body)
        }
        if (r.sec !== undefined) {
          s = r.sec
          ns = r.nsec ?? 0
        }
        events.push({ sec: s, nsec: ns, body })
        return
      }
    }
    body = {}
    if (pathKey !== undefined) body[pathKey] = file.path
    if (offsetKey !== undefined) body[offsetKey] = base + start
    body[key] = text
    events.push({ sec: s, nsec: ns, body })
  }

  const longLine = (start: number, end: number, complete: boolean): boolean => {
    const action = cfg.longLines
    out.long.push({ offset: base + start, action })
    if (action === 'stop') {
      out.stoppedAt = base + start
      return false
    }
    if (action === 'truncate') {
      if (utf16) {
        const cut = utf16Cut(b, start, maxLine, le)
        emitText(start, (le ? UTF16LE : UTF16BE).decode(b.subarray(start, cut)))
      } else {
        const cut = utf8Cut(b, start, start + maxLine)
        emitText(start, decode(b, start, cut, decoder))
      }
    }
    if (!complete) file.skipping = true
    void end
    return true
  }

  // fast path: when the chunk up to its last newline is ASCII (characters = bytes), it is decoded
  // with one call and lines are sliced from that string (V8 slices share the chunk's string instead
  // of copying), and byte offsets are string indexes. Otherwise lines are decoded one by one.
  // isAscii (SIMD) plus a Latin-1 copy costs about a quarter of the UTF-8 decoder on ASCII text.
  if (!utf16 && !decoder) {
    const last = b.lastIndexOf(10, n - 1)
    if (last >= pos && isAscii(b.subarray(pos, last + 1))) {
      const text = (b as Utf8Sliceable).latin1Slice(pos, last + 1)
      let i = 0
      while (i < text.length) {
        const nl = text.indexOf('\n', i)
        const len = nl - i
        if (len > maxLine) {
          if (!longLine(pos + i, pos + nl, true)) {
            out.end = base + pos + i
            return out
          }
        } else if (len > 0 || !skipEmpty) {
          const line = text.slice(i, len > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl)
          if (plain) events.push({ sec, nsec, body: { [key]: line } })
          else emitText(pos + i, line)
        }
        i = nl + 1
      }
      pos = last + 1
    }
  }

  if (plain) {
    for (;;) {
      const nl = b.indexOf(10, pos)
      if (nl < 0) break
      const len = nl - pos
      if (len > maxLine) {
        if (!longLine(pos, nl, true)) {
          out.end = base + pos
          return out
        }
      } else if (len > 0 || !skipEmpty) {
        const end = len > 0 && b[nl - 1] === 13 ? nl - 1 : nl
        events.push({ sec, nsec, body: { [key]: (b as Utf8Sliceable).utf8Slice(pos, end) } })
      }
      pos = nl + 1
    }
  } else if (utf16) {
    // Unicode.Encoding: lines end with the code unit U+000A; CR is U+000D.
    const dec = le ? UTF16LE : UTF16BE
    for (;;) {
      const nl = newline16(b, pos, le)
      if (nl < 0) break
      const len = nl - pos
      if (len > maxLine) {
        if (!longLine(pos, nl, true)) {
          out.end = base + pos
          return out
        }
      } else if (len > 0 || !skipEmpty) {
        const cr = len >= 2 && (le ? b[nl - 2] === 13 && b[nl - 1] === 0 : b[nl - 2] === 0 && b[nl - 1] === 13)
        emitText(pos, dec.decode(b.subarray(pos, cr ? nl - 2 : nl)))
      }
      pos = nl + 2
    }
  } else {
    for (;;) {
      const nl = b.indexOf(10, pos)
      if (nl < 0) break
      const len = nl - pos
      if (len > maxLine) {
        if (!longLine(pos, nl, true)) {
          out.end = base + pos
          return out
        }
      } else if (len > 0 || !skipEmpty) {
        const end = len > 0 && b[nl - 1] === 13 ? nl - 1 : nl
        emitText(pos, decode(b, pos, end, decoder))
      }
      pos = nl + 1
    }
  }

  if (n - pos > maxLine) {
    // The line in progress is already too long: decide now instead of buffering it.
    if (!longLine(pos, n, false)) {
      out.end = base + pos
      return out
    }
    pos = utf16 ? pos + ((n - pos) & ~1) : n
  }
  out.end = base + pos
  return out
}
