// js: Sluice's own scripting filter, the fast way — a JavaScript or TypeScript module run in the
// agent's own V8, no VM boundary. The module exports either
//   a per-record function with the Lua filter's contract:
//     (tag, {sec, nsec}, record) => [code, time, record]   code -1 drop, 0 keep, 1 record+time, 2 record
//     (record may be an array of records; returning undefined keeps the record), or
//   a batch function (with `batch on`): (events, tag) => events, where events are {sec, nsec, body}.
// An exception keeps the record (per-record) or the batch (batch form) unchanged, counted and logged.

import { pathToFileURL } from 'node:url'
import type { Body } from '@sluice/core/record.ts'
import { defineFilter, type LogEvent } from '../../plugin.ts'

export type RecordFn = (
  tag: string,
  time: { sec: number; nsec: number },
  record: Body,
) => [number, { sec: number; nsec: number } | undefined, Body | Body[]] | undefined
export type BatchFn = (events: LogEvent[], tag: string) => LogEvent[]

function isTime(t: unknown): t is { sec: number; nsec: number } {
  return typeof t === 'object' && t !== null && Number.isFinite((t as { sec: unknown }).sec)
}

export default defineFilter({
  name: 'js',
  description: 'Run a JavaScript/TypeScript function on each record or batch (Sluice extension, no VM boundary).',
  options: {
    path: { type: 'str', required: true, description: 'Path of the module (.js, .mjs or .ts).' },
    call: {
      type: 'str',
      default: 'default',
      description: 'Name of the exported function (`default` for the default export).',
    },
    batch: {
      type: 'bool',
      default: 'false',
      description: 'Call the function once per batch as (events, tag) => events instead of once per record.',
    },
  },
  async init(o, ctx) {
    const file = ctx.resolvePath(o.path)
    let mod: Record<string, unknown>
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
    } catch (err) {
      throw new Error(`cannot load js module ${o.path}: ${(err as Error).message}`)
    }
    const fn = mod[o.call]
    if (typeof fn !== 'function') {
      throw new Error(`cannot use js module ${o.path}: it has no exported function '${o.call}'`)
    }
    const errors = ctx.metrics
      .counter('sluice_filter_js_errors_total', 'js filter calls that threw or returned an invalid result.')
      .labels({ name: ctx.id })
    return { fn: fn as RecordFn & BatchFn, batch: o.batch, errors, path: o.path }
  },
  filter(events, tag, s, ctx) {
    if (s.batch) {
      try {
        const out = s.fn(events, tag)
        if (!Array.isArray(out)) throw new Error('the batch function did not return an array')
        return out
      } catch (err) {
        s.errors.inc()
        ctx.log.error(`${s.path}: batch of ${events.length} kept unchanged: ${(err as Error).message}`)
        return events
      }
    }
    // fast path: a plain loop, records passed by reference
    const out: LogEvent[] = []
    let failed = 0
    let first = ''
    for (const e of events) {
      let r: ReturnType<RecordFn>
      try {
        r = s.fn(tag, { sec: e.sec, nsec: e.nsec }, e.body)
      } catch (err) {
        failed++
        first ||= (err as Error)?.message ?? String(err)
        out.push(e)
        continue
      }
      if (r === undefined) {
        out.push(e)
        continue
      }
      const [code, time, rec] = r
      if (code === -1) continue
      if (code === 0) {
        out.push(e)
        continue
      }
      if ((code !== 1 && code !== 2) || typeof rec !== 'object' || rec === null || (code === 1 && !isTime(time))) {
        failed++
        first ||= `invalid return [${String(code)}, …]`
        out.push(e)
        continue
      }
      const sec = code === 1 ? time!.sec : e.sec
      const nsec = code === 1 ? (time!.nsec ?? 0) : e.nsec
      if (Array.isArray(rec)) for (const body of rec) out.push({ sec, nsec, body })
      else if (rec === e.body && sec === e.sec && nsec === e.nsec) out.push(e)
      else out.push({ sec, nsec, body: rec })
    }
    if (failed > 0) {
      s.errors.inc(failed)
      ctx.log.error(`${s.path}: ${failed} of ${events.length} records kept unchanged: ${first}`)
    }
    return out
  },
})
