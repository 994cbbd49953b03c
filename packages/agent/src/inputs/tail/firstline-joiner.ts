// Fluent Bit's old tail multiline mechanism (`Multiline On`, `Parser_Firstline`, `Parser_N`,
// `Multiline_Flush`; fluent-bit/plugins/in_tail/tail_multiline.c), still common in configs written
// before `multiline.parser` (1.8) for Java stack traces. Per line:
//
//   - Parser_Firstline matches: the message being joined is complete, and a new one starts with the
//     fields that parser extracted (its time, or the time the line was read).
//   - otherwise, the first Parser_N that matches adds its fields to the message being joined.
//   - otherwise, when the message's last field (in the parser's order) holds a string, the line is
//     appended to it after a `\n`.
//   - otherwise the line is a record of its own, `{<Key>: line}`.
//
// A message is complete when the next first line comes, when Multiline_Flush seconds have passed
// since its first line, and at the end of the file (rotation, removal, shutdown, reload).
//
// Two deliberate differences, both so that no line is lost or reordered:
//   - a line that can be neither joined nor appended completes the message being joined before it
//     becomes its own record (Fluent Bit emits it at once and keeps joining, so the records leave out
//     of line order, and the tail's commit point must follow line order);
//   - a Parser_N match with no message being joined becomes its own record (Fluent Bit keeps it for a
//     message that never comes and drops it).

import type { Body, LogEvent } from '@sluice/core/record.ts'
import type { MultilineJoiner } from '../../multiline/types.ts'
import { setField } from '../../parsers/fields.ts'
import type { ParseResult, Parser } from '../../parsers/types.ts'

export interface FirstlineOptions {
  /** Parser_Firstline. */
  readonly firstline: Parser
  /** Parser_1 … Parser_N, in the order given. */
  readonly continuation: readonly Parser[]
  /** The tail's `Key`: the field of a line that becomes a record of its own. */
  readonly key: string
  /** Multiline_Flush in milliseconds. */
  readonly flushMs: number
  /** Clock (epoch ms), for tests. */
  readonly now?: () => number
}

/** The message being joined in one stream group. */
interface Message {
  readonly sec: number
  readonly nsec: number
  readonly body: Body
  /** The field unmatched lines are appended to; undefined when the last field is not a string. */
  appendTo: string | undefined
  /** Input lines it holds (for the tail's commit point). */
  lines: number
  /** When its first line came (epoch ms). */
  readonly since: number
}

/** The last field of `body` when it holds a string (the only kind a line can be appended to). */
function stringTail(body: Body): string | undefined {
  let last: string | undefined
  for (const k in body) last = k
  return last !== undefined && typeof body[last] === 'string' ? last : undefined
}

function timed(r: ParseResult, line: LogEvent, body: Body = r.body): LogEvent {
  return r.sec !== undefined ? { sec: r.sec, nsec: r.nsec ?? 0, body } : { sec: line.sec, nsec: line.nsec, body }
}

export class FirstlineJoiner implements MultilineJoiner {
  readonly truncated = 0
  private readonly o: FirstlineOptions
  private readonly now: () => number
  private readonly open = new Map<string, Message>()

  constructor(o: FirstlineOptions) {
    this.o = o
    this.now = o.now ?? Date.now
  }

  push(line: LogEvent, group: string): LogEvent[] {
    const text = line.body.log
    if (typeof text !== 'string') return [line]
    const first = this.o.firstline.parse(text)
    if (first) {
      const done = this.flushAll(group)
      const start = timed(first, line)
      this.open.set(group, {
        sec: start.sec,
        nsec: start.nsec,
        body: start.body,
        appendTo: stringTail(start.body),
        lines: 1,
        since: this.now(),
      })
      return done
    }
    const m = this.open.get(group)
    for (const p of this.o.continuation) {
      const r = p.parse(text)
      if (!r) continue
      if (!m) return [timed(r, line)]
      for (const k in r.body) if (Object.hasOwn(r.body, k)) setField(m.body, k, r.body[k])
      m.appendTo = stringTail(r.body)
      m.lines++
      return []
    }
    if (m && m.appendTo !== undefined) {
      m.body[m.appendTo] = `${m.body[m.appendTo] as string}\n${text}`
      m.lines++
      return []
    }
    const done = m ? this.flushAll(group) : []
    done.push({ sec: line.sec, nsec: line.nsec, body: { [this.o.key]: text } })
    return done
  }

  flushExpired(now: number): LogEvent[] {
    const out: LogEvent[] = []
    for (const [group, m] of this.open) {
      if (now - m.since < this.o.flushMs) continue
      this.open.delete(group)
      out.push({ sec: m.sec, nsec: m.nsec, body: m.body })
    }
    return out
  }

  flushAll(group?: string): LogEvent[] {
    const out: LogEvent[] = []
    for (const [g, m] of this.open) {
      if (group !== undefined && g !== group) continue
      this.open.delete(g)
      out.push({ sec: m.sec, nsec: m.nsec, body: m.body })
    }
    return out
  }

  pending(group?: string): number {
    if (group !== undefined) return this.open.get(group)?.lines ?? 0
    let n = 0
    for (const m of this.open.values()) n += m.lines
    return n
  }
}
