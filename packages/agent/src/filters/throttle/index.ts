// throttle: pass at most Rate records per Interval on average over a sliding Window of intervals
// (Fluent Bit filter_throttle): a record passes when the records passed in the last Window
// intervals, divided by Window, is below Rate; otherwise it is dropped.
//
// Beyond Fluent Bit: `key` names a record accessor (`$kubernetes['namespace_name']`) and gives
// every value its own window, so one noisy pod or namespace cannot starve the others. At most
// `max_keys` windows are kept; further values share one overflow window (counted in the log line).
//
// Every drop is counted (sluice_filter_throttle_dropped_records_total) and summarised in one log
// line per interval in which something was dropped; Print_Status logs the window every interval.

import { parseRecordAccessor, type RecordAccessor } from '@sluice/core/record-accessor.ts'
import { defineFilter, type LogEvent } from '../../plugin.ts'
import { matchText } from '../args.ts'

const OVERFLOW = '\u0000overflow'

class Window {
  readonly buckets: number[]
  total = 0
  head = 0
  constructor(size: number) {
    this.buckets = new Array(size).fill(0)
  }
  /** Moves the window forward by `n` intervals, forgetting the oldest. */
  advance(n: number): void {
    const size = this.buckets.length
    for (let i = 0; i < Math.min(n, size); i++) {
      this.head = (this.head + 1) % size
      this.total -= this.buckets[this.head]!
      this.buckets[this.head] = 0
    }
  }
  add(): void {
    this.buckets[this.head]!++
    this.total++
  }
}

export interface ThrottleState {
  rate: number
  size: number
  intervalMs: number
  printStatus: boolean
  ra?: RecordAccessor
  maxKeys: number
  windows: Map<string, Window>
  /** Interval number the windows are at. */
  tick: number
  dropped: Map<string, number>
  droppedTotal: number
  clock: () => number
  counter: { inc(n?: number): void }
  /** Writes the drop summary one interval after the first drop, even if no record arrives then. */
  timer?: NodeJS.Timeout
}

function advanceTo(s: ThrottleState, now: number, log: (m: string) => void): void {
  const tick = Math.floor(now / s.intervalMs)
  if (tick <= s.tick) return
  const n = tick - s.tick
  report(s, log)
  for (const w of s.windows.values()) w.advance(n)
  // windows that emptied are forgotten so that keys of deleted pods do not pile up
  for (const [k, w] of s.windows) if (w.total === 0) s.windows.delete(k)
  s.tick = tick
}

function report(s: ThrottleState, log: (m: string) => void): void {
  if (s.printStatus) {
    for (const [k, w] of s.windows) {
      log(
        `status${s.ra ? ` ${k === OVERFLOW ? '(overflow)' : k}` : ''}: ${(w.total / s.size).toFixed(2)} records/interval over the window, limit ${s.rate}`,
      )
    }
  }
  if (s.droppedTotal === 0) return
  const top = [...s.dropped.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, n]) => `${k === OVERFLOW ? '(overflow)' : k}=${n}`)
  log(
    `dropped ${s.droppedTotal} records over the limit of ${s.rate} per ${s.intervalMs / 1000}s${s.ra ? ` (by ${s.ra.source}: ${top.join(', ')})` : ''}`,
  )
  s.dropped.clear()
  s.droppedTotal = 0
}

export default defineFilter({
  name: 'throttle',
  description: 'Limit the rate of records, averaged over a sliding window; optionally per key.',
  options: {
    rate: { type: 'int', default: '1', description: 'Records allowed per Interval, on average over the window.' },
    window: { type: 'int', default: '5', description: 'Number of intervals in the sliding window.' },
    interval: { type: 'time', default: '1s', description: 'Length of one interval (`1s`, `500ms`, `1m`).' },
    print_status: { type: 'bool', default: 'false', description: 'Log the rate of each window every interval.' },
    key: {
      type: 'str',
      description:
        "Sluice extension: throttle separately per value of this record accessor (e.g. `$kubernetes['namespace_name']`).",
    },
    max_keys: {
      type: 'int',
      default: '10000',
      description: 'Sluice extension: windows kept for `key`; further values share one overflow window.',
    },
  },
  init(o, ctx) {
    if (o.rate < 1) throw new Error(`cannot configure throttle: Rate must be at least 1, not ${o.rate}`)
    if (o.window < 1) throw new Error(`cannot configure throttle: Window must be at least 1, not ${o.window}`)
    if (o.interval <= 0) throw new Error('cannot configure throttle: Interval must be positive')
    const s: ThrottleState = {
      rate: o.rate,
      size: o.window,
      intervalMs: o.interval * 1000,
      printStatus: o.print_status,
      ra: o.key ? parseRecordAccessor(o.key) : undefined,
      maxKeys: o.max_keys,
      windows: new Map(),
      tick: 0,
      dropped: new Map(),
      droppedTotal: 0,
      clock: Date.now,
      counter: ctx.metrics
        .counter('sluice_filter_throttle_dropped_records_total', 'Records dropped by the throttle filter.')
        .labels({ name: ctx.id }),
    }
    s.tick = Math.floor(s.clock() / s.intervalMs)
    return s
  },
  filter(events, _tag, s, ctx) {
    const log = (m: string) => ctx.log.info(m)
    advanceTo(s, s.clock(), log)
    const out: LogEvent[] = []
    let dropped = 0
    for (const e of events) {
      let key = ''
      if (s.ra) {
        key = matchText(s.ra.get(e.body)) ?? ''
        if (!s.windows.has(key) && s.windows.size >= s.maxKeys) key = OVERFLOW
      }
      let w = s.windows.get(key)
      if (!w) s.windows.set(key, (w = new Window(s.size)))
      if (w.total / s.size >= s.rate) {
        dropped++
        s.dropped.set(key, (s.dropped.get(key) ?? 0) + 1)
        continue
      }
      w.add()
      out.push(e)
    }
    if (dropped > 0) {
      s.droppedTotal += dropped
      s.counter.inc(dropped)
      if (!s.timer) {
        s.timer = setTimeout(() => {
          s.timer = undefined
          if (!ctx.signal.aborted) advanceTo(s, s.clock(), log)
        }, s.intervalMs)
        s.timer.unref()
      }
    }
    return out
  },
  flush(s, ctx) {
    report(s, (m) => ctx.log.info(m))
  },
  stop(s) {
    if (s.timer) clearTimeout(s.timer)
    s.timer = undefined
  },
})
