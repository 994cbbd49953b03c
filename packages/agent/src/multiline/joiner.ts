// The multiline joiner (MultilineJoiner in types.ts): records of one source go in one by one,
// complete records come out. One pending message per stream, where a stream is the caller's group
// (a file) plus the value of the parser's key_group (`stream`: stdout and stderr of a container are
// joined apart, also when their partial lines interleave).
//
// Several parsers may be named (`multiline.parser docker, cri`): for each record the parsers are
// tried in order; the pending message's own parser is asked first whether the record continues it.
//
// Every pushed record can carry a token (the multiline filter passes the batch's Ack) that comes
// back with the output it ended up in, so whoever holds records across calls knows whose they are.

import type { Body, LogEvent } from '@sluice/core/record.ts'
import type { MultilineParserDef } from './definition.ts'
import { type CompiledRule, matchNext, matchStart } from './rules.ts'
import type { JoinerOptions, MultilineJoiner } from './types.ts'

export const DEFAULT_BUFFER_LIMIT = 2 * 1024 * 1024

export interface Joined<T> {
  event: LogEvent
  tokens: T[]
  /** The group (caller's stream, e.g. a file or a tag) the record belongs to. */
  group: string
}

interface Pending<T> {
  parser: MultilineParserDef
  /** The first record as pushed, and whether `body` is our own copy (safe to complete in place). */
  first: LogEvent
  owned: boolean
  group: string
  body: Body
  sec: number
  nsec: number
  /** The pending map key (group + stream). */
  key: string
  /** The content key whose value is joined. */
  field: string
  buf: string
  bytes: number
  parts: number
  tokens: T[]
  rule?: CompiledRule
  truncated: boolean
  lastAt: number
}

interface Prepared {
  event: LogEvent
  owned: boolean
  body: Body
  sec: number
  nsec: number
  content: string
  sub: string
  pattern: string
}

/** True when the record has at most one key (a raw line pushed as `{log: line}`). */
function onlyKey(b: Body): boolean {
  let n = 0
  for (const _ in b) if (++n > 1) return false
  return true
}

export class Joiner<T = undefined> implements MultilineJoiner {
  readonly #parsers: readonly MultilineParserDef[]
  readonly #opts: JoinerOptions
  readonly #limit: number
  readonly #pending = new Map<string, Pending<T>>()
  #truncated = 0
  /** Injectable clock for the flush timeout (epoch ms). */
  now: () => number = Date.now

  /** Every parser joins by an end marker (endswith / equal), none by regex states (see pushOne). */
  readonly #markerOnly: boolean

  constructor(parsers: readonly MultilineParserDef[], opts: JoinerOptions = {}) {
    if (parsers.length === 0) throw new Error('cannot create multiline joiner: no parser named')
    this.#parsers = parsers
    this.#markerOnly = parsers.every((p) => p.type !== 'regex')
    this.#opts = opts
    this.#limit = opts.bufferLimit ?? DEFAULT_BUFFER_LIMIT
  }

  get truncated(): number {
    return this.#truncated
  }

  /**
   * fast path for raw lines (tail reads a million a second): with nothing pending anywhere and parsers
   * that join by an end marker (cri, docker: no regex states), a complete line's record is returned as
   * push() would return it, without the arrays and wrappers push() builds; undefined when the line
   * needs push() (a partial line, something pending, regex parsers). Needs no group: with nothing
   * pending, the stream a line belongs to does not matter.
   */
  pushOne(event: LogEvent): LogEvent | undefined {
    if (!this.#markerOnly || this.#pending.size !== 0) return undefined
    for (const parser of this.#parsers) {
      const prep = this.#prepare(parser, event)
      if (!prep) continue
      const hit =
        (parser.type === 'equal' ? prep.pattern === parser.matchString : prep.content.endsWith(parser.matchString!)) !==
        parser.negate
      if (!hit) return undefined
      return prep.owned ? { sec: prep.sec, nsec: prep.nsec, body: prep.body } : event
    }
    // no parser takes it: it passes unchanged (nothing pending to complete first)
    return event
  }

  push(event: LogEvent, group: string): LogEvent[] {
    return this.pushTracked(event, group, undefined as T).map((j) => j.event)
  }

  flushExpired(now: number): LogEvent[] {
    return this.flushExpiredTracked(now).map((j) => j.event)
  }

  flushAll(group?: string): LogEvent[] {
    return this.flushAllTracked(group).map((j) => j.event)
  }

  pending(group?: string): number {
    let n = 0
    for (const p of this.#pending.values()) if (group === undefined || p.group === group) n += p.parts
    return n
  }

  /** Like push, with a token that comes back with the output record it joins. */
  pushTracked(event: LogEvent, group: string, token: T): Joined<T>[] {
    const out: Joined<T>[] = []
    for (const parser of this.#parsers) {
      const prep = this.#prepare(parser, event)
      if (!prep) continue
      // fast path: nothing pending anywhere (the usual case) needs no stream key
      const key = this.#pending.size === 0 ? '' : `${group}\u0000${prep.sub}`
      const cur = key === '' ? undefined : this.#pending.get(key)
      if (parser.type === 'regex') {
        const rules = parser.rules!
        if (cur && cur.parser === parser && cur.rule) {
          const next = matchNext(cur.rule, prep.content)
          if (next) {
            const cut = this.#append(cur, prep.content, token, true)
            cur.rule = next
            if (next.ends || cut) this.#complete(key, out)
            return out
          }
        }
        const start = matchStart(rules, prep.content)
        if (!start) continue
        if (cur) this.#complete(key, out)
        const p = this.#open(parser, group, `${group}\u0000${prep.sub}`, prep)
        const cut = this.#append(p, prep.content, token, true)
        p.rule = start
        if (start.ends || cut) this.#complete(p.key, out)
        return out
      }
      // endswith / equal: every record with content belongs to this parser.
      const hit =
        (parser.type === 'equal' ? prep.pattern === parser.matchString : prep.content.endsWith(parser.matchString!)) !==
        parser.negate
      if (cur && cur.parser !== parser) this.#complete(key, out)
      const pending = cur && cur.parser === parser ? cur : undefined
      if (!pending && hit) {
        // fast path: a complete line with nothing pending (CRI `F`, Docker line ending in "\n")
        out.push({
          event: prep.owned ? { sec: prep.sec, nsec: prep.nsec, body: prep.body } : event,
          tokens: [token],
          group,
        })
        return out
      }
      const p = pending ?? this.#open(parser, group, `${group}\u0000${prep.sub}`, prep)
      const cut = this.#append(p, prep.content, token, false)
      if (hit || cut) this.#complete(p.key, out)
      return out
    }
    // No parser takes it: what is pending in this group's ungrouped stream ends here, and the record
    // passes unchanged (as Fluent Bit flushes the last parser's buffer and emits the record as is).
    if (this.#pending.size > 0) {
      const plain = `${group}\u0000`
      if (this.#pending.has(plain)) this.#complete(plain, out)
    }
    out.push({ event, tokens: [token], group })
    return out
  }

  flushExpiredTracked(now: number): Joined<T>[] {
    const out: Joined<T>[] = []
    for (const [key, p] of this.#pending) {
      const limit = this.#opts.flushMs ?? p.parser.flushMs
      if (now - p.lastAt >= limit) this.#complete(key, out)
    }
    return out
  }

  flushAllTracked(group?: string): Joined<T>[] {
    const out: Joined<T>[] = []
    for (const [key, p] of this.#pending) if (group === undefined || p.group === group) this.#complete(key, out)
    return out
  }

  /** Epoch ms at which the oldest pending message times out (undefined when nothing is pending). */
  nextDeadline(): number | undefined {
    let min: number | undefined
    for (const p of this.#pending.values()) {
      const at = p.lastAt + (this.#opts.flushMs ?? p.parser.flushMs)
      if (min === undefined || at < min) min = at
    }
    return min
  }

  #prepare(parser: MultilineParserDef, event: LogEvent): Prepared | null {
    const src = event.body
    let body = src
    let owned = false
    let sec = event.sec
    let nsec = event.nsec
    const contentKey = parser.keyContent
    if (parser.preParse) {
      const already =
        parser.acceptParsed &&
        (parser.keyGroup === undefined || typeof src[parser.keyGroup] === 'string') &&
        (parser.keyPattern === undefined || typeof src[parser.keyPattern] === 'string')
      if (!already) {
        let raw = src[this.#opts.keyContent ?? contentKey]
        // A raw line from tail (`{log: line}`) is text to parse whatever key_content names (Fluent
        // Bit's text mode); a structured record is parsed from its key_content (map mode).
        if (typeof raw !== 'string' && onlyKey(src)) raw = src.log
        if (typeof raw !== 'string') return null
        const parsed = parser.preParse(raw)
        if (!parsed) return null
        // Other keys the source added (tail's Path_Key) stay; the parsed ones win.
        body = onlyKey(src) ? parsed.body : { ...src, ...parsed.body }
        owned = true
        if (this.#opts.keyContent && this.#opts.keyContent !== contentKey) delete body[this.#opts.keyContent]
        if (parsed.sec !== undefined) {
          sec = parsed.sec
          nsec = parsed.nsec ?? 0
        }
      }
    }
    const key = parser.preParse ? contentKey : (this.#opts.keyContent ?? contentKey)
    const content = body[key]
    if (typeof content !== 'string') return null
    const subV = parser.keyGroup ? body[parser.keyGroup] : undefined
    const patV = parser.keyPattern ? body[parser.keyPattern] : undefined
    return {
      event,
      owned,
      body,
      sec,
      nsec,
      content,
      sub: typeof subV === 'string' ? subV : '',
      pattern: typeof patV === 'string' ? patV : content,
    }
  }

  #open(parser: MultilineParserDef, group: string, key: string, prep: Prepared): Pending<T> {
    const p: Pending<T> = {
      parser,
      first: prep.event,
      owned: prep.owned,
      group,
      body: prep.body,
      sec: prep.sec,
      nsec: prep.nsec,
      key,
      field: parser.preParse ? parser.keyContent : (this.#opts.keyContent ?? parser.keyContent),
      buf: '',
      bytes: 0,
      parts: 0,
      tokens: [],
      truncated: false,
      lastAt: this.now(),
    }
    this.#pending.set(key, p)
    return p
  }

  /**
   * Appends one line; true when the buffer limit cut it. A cut message is completed at once (as
   * Fluent Bit does), so the lines after it start afresh instead of being lost.
   */
  #append(p: Pending<T>, text: string, token: T, newline: boolean): boolean {
    if (newline && p.parts > 0) {
      // as flb_ml_rule_process: a newline unless the text so far ends with one; an empty line is one
      if (!p.buf.endsWith('\n')) this.#add(p, '\n')
      if (text.length === 0) this.#add(p, '\n')
    }
    this.#add(p, text)
    p.tokens.push(token)
    p.parts++
    p.lastAt = this.now()
    return p.truncated
  }

  #add(p: Pending<T>, text: string): void {
    if (p.truncated) return
    const bytes = Buffer.byteLength(text)
    const room = this.#limit - p.bytes
    if (bytes <= room) {
      p.buf += text
      p.bytes += bytes
      return
    }
    // Cut at the limit without leaving half a UTF-8 sequence behind.
    p.buf += Buffer.from(text)
      .subarray(0, Math.max(0, room))
      .toString()
      .replace(/\uFFFD$/, '')
    p.bytes = this.#limit
    p.truncated = true
    this.#truncated++
  }

  #complete(key: string, out: Joined<T>[]): void {
    const p = this.#pending.get(key)
    if (!p) return
    this.#pending.delete(key)
    if (p.parts === 1 && !p.owned && !p.truncated) {
      out.push({ event: p.first, tokens: p.tokens, group: p.group }) // one line, nothing joined
      return
    }
    const body: Body = p.owned ? p.body : { ...p.body }
    body[p.field] = p.buf
    out.push({ event: { sec: p.sec, nsec: p.nsec, body }, tokens: p.tokens, group: p.group })
  }
}
