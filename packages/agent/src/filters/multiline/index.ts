// multiline (filter): join records of any source — stack traces split over several records, Docker
// partial messages — with the multiline parsers (Fluent Bit filter_multiline). Streams are kept
// apart per tag.
//
// buffer on (default): records may wait across batches for their continuation lines. A waiting
// record keeps its batch's acknowledgement retained; a joined record that contains lines of an
// earlier batch is re-emitted through ctx.emit under its tag with an acknowledgement standing for
// every batch it came from, and the rest of the batch passes on normally. A message that stays
// incomplete for flush_ms is emitted by a timer. buffer off: joining happens within one batch only.

import { createTrackedJoiner } from '../../multiline/index.ts'
import type { Joined } from '../../multiline/joiner.ts'
import { defineFilter, type Ack, type FilterContext, type LogEvent } from '../../plugin.ts'
import { compositeAck } from './ack.ts'
import { PartialJoiner } from './partial.ts'

interface Tracked {
  pushTracked(e: LogEvent, group: string, token: Ack): Joined<Ack>[]
  flushAllTracked(): Joined<Ack>[]
  expired(now: number): Joined<Ack>[]
  nextDeadline(): number | undefined
  pending(): number
  truncated(): number
}

interface State {
  joiner: Tracked
  buffer: boolean
  flushMs: number
  timer?: NodeJS.Timeout
  ctx?: FilterContext
  debug: boolean
  emitted: { inc(n?: number): void }
  truncatedSeen: number
  truncatedCounter: { inc(n?: number): void }
}

/** Sends joined records on: those made only of the current batch's lines are returned, others emitted. */
function route(s: State, ctx: FilterContext, outs: Joined<Ack>[], current: Ack | undefined, ret: LogEvent[]): void {
  for (const j of outs) {
    if (current && j.tokens.every((t) => t === current)) {
      ret.push(j.event)
      for (let i = 0; i < j.tokens.length; i++) current.release()
      continue
    }
    const { ack, retained } = compositeAck(j.tokens)
    if (!retained) ack.retain()
    s.emitted.inc()
    if (s.debug) ctx.log.debug(`flush: ${j.tokens.length} lines as one record under ${j.group}`)
    ctx.emit(j.group, [j.event], ack)
    for (const t of j.tokens) t.release()
  }
}

function schedule(s: State): void {
  if (!s.buffer || !s.ctx) return
  const at = s.joiner.nextDeadline()
  if (at === undefined) {
    if (s.timer) clearTimeout(s.timer)
    s.timer = undefined
    return
  }
  if (s.timer) return
  s.timer = setTimeout(
    () => {
      s.timer = undefined
      if (!s.ctx || s.ctx.signal.aborted) return
      route(s, s.ctx, s.joiner.expired(Date.now()), undefined, [])
      schedule(s)
    },
    Math.max(10, at - Date.now()),
  )
  s.timer.unref()
}

export default defineFilter({
  name: 'multiline',
  description: 'Join records split over several records (stack traces, Docker partial messages).',
  options: {
    'multiline.parser': {
      type: 'clist',
      description: 'Multiline parsers to apply, comma-separated (`go, java, my-parser`), tried in order.',
    },
    'multiline.key_content': {
      type: 'str',
      description: "Key holding the text to join; overrides the parser's key_content.",
    },
    mode: {
      type: 'str',
      values: ['parser', 'partial_message'],
      default: 'parser',
      description: '`parser`: join with the multiline parsers; `partial_message`: join Docker partial messages.',
    },
    buffer: {
      type: 'bool',
      default: 'true',
      description: 'Keep incomplete messages across batches (re-emitted when complete); off joins within a batch.',
    },
    flush_ms: {
      type: 'int',
      default: '2000',
      description: 'Milliseconds an incomplete message waits for more lines before it is emitted as is.',
    },
    debug_flush: { type: 'bool', default: 'false', description: 'Log every flush of a joined record (debug level).' },
    emitter_name: { type: 'str', description: 'Name of the emitter that re-injects joined records (used in logs).' },
    'emitter_storage.type': {
      type: 'str',
      values: ['memory', 'filesystem'],
      default: 'memory',
      description: 'Buffer type of the emitter.',
      ignored: "joined records stay in their input's buffer and follow its storage type",
    },
    emitter_mem_buf_limit: {
      type: 'size',
      default: '10M',
      description: 'Memory limit of the emitter.',
      ignored: "held records count against their input's Mem_Buf_Limit",
    },
  },
  init(o, ctx) {
    const flushMs = o.flush_ms
    let joiner: Tracked
    if (o.mode === 'partial_message') {
      const p = new PartialJoiner<Ack>(o['multiline.key_content'] ?? 'log')
      joiner = {
        pushTracked: (e, g, t) => p.pushTracked(e, g, t),
        flushAllTracked: () => p.flushAllTracked(),
        expired: (now) => p.flushExpiredTracked(now, flushMs),
        nextDeadline: () => p.nextDeadline(flushMs),
        pending: () => p.pending(),
        truncated: () => 0,
      }
    } else {
      const names = o['multiline.parser'] ?? []
      if (names.length === 0)
        throw new Error("cannot configure multiline: 'multiline.parser' is required in mode parser")
      for (const n of names) {
        if (!ctx.multiline.has(n)) {
          throw new Error(
            `cannot configure multiline: unknown multiline parser '${n}' (known: ${ctx.multiline.names().join(', ')})`,
          )
        }
      }
      const j = createTrackedJoiner<Ack>(ctx.multiline, names, {
        keyContent: o['multiline.key_content'],
        flushMs,
      })
      joiner = {
        pushTracked: (e, g, t) => j.pushTracked(e, g, t),
        flushAllTracked: () => j.flushAllTracked(),
        expired: (now) => j.flushExpiredTracked(now),
        nextDeadline: () => j.nextDeadline(),
        pending: () => j.pending(),
        truncated: () => j.truncated,
      }
    }
    const s: State = {
      joiner,
      buffer: o.buffer,
      flushMs,
      debug: o.debug_flush,
      emitted: ctx.metrics
        .counter('sluice_filter_multiline_emitted_total', 'Joined records re-emitted by the multiline filter.')
        .labels({ name: ctx.id }),
      truncatedSeen: 0,
      truncatedCounter: ctx.metrics
        .counter('sluice_multiline_truncated_total', 'Joined messages cut at the multiline buffer limit.')
        .labels({ name: ctx.id }),
    }
    return s
  },
  filter(events, tag, s, ctx, ack) {
    s.ctx = ctx
    const ret: LogEvent[] = []
    for (const e of events) {
      ack.retain() // released when the line leaves the joiner (route)
      route(s, ctx, s.joiner.pushTracked(e, tag, ack), ack, ret)
    }
    if (!s.buffer) route(s, ctx, s.joiner.flushAllTracked(), ack, ret)
    schedule(s)
    const cut = s.joiner.truncated() - s.truncatedSeen
    if (cut > 0) {
      s.truncatedSeen += cut
      s.truncatedCounter.inc(cut)
      ctx.log.warn(`${cut} joined message(s) exceeded the multiline buffer limit and were truncated`)
    }
    return ret
  },
  flush(s, ctx) {
    if (s.timer) clearTimeout(s.timer)
    s.timer = undefined
    route(s, ctx, s.joiner.flushAllTracked(), undefined, [])
  },
  stop(s) {
    if (s.timer) clearTimeout(s.timer)
    s.timer = undefined
    s.ctx = undefined
  },
})
