// The `dummy` input (Fluent Bit in_dummy): generates a fixed JSON record, for tests, benchmarks and
// getting started. Options and defaults as Fluent Bit 5.1 documents them (data-pipeline/inputs/dummy).
//
// Rate N emits every 1/N s (Interval_sec/Interval_nsec, when set, replace Rate); each time, Copies
// records. Samples N stops after N generations. Timestamps are now, or start at
// Start_time_sec/Start_time_nsec and advance with the clock; Fixed_timestamp keeps one timestamp.
// The input honours backpressure: while paused (Mem_Buf_Limit) it generates nothing.

import type { Body, LogEvent } from '@sluice/core/record.ts'
import { defineInput } from '../../plugin.ts'

function parseObject(what: string, text: string): Body {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (err) {
    throw new Error(`invalid ${what} JSON ${JSON.stringify(text)}: ${(err as Error).message}`)
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new Error(`invalid ${what} JSON ${JSON.stringify(text)}: not a JSON object`)
  return v as Body
}

interface DummyState {
  readonly text: string
  readonly periodMs: number
  readonly copies: number
  readonly samples: number
  readonly fixed: boolean
  readonly flushOnStartup: boolean
  /** Base timestamp in ns since the epoch when Start_time_* is set. */
  readonly startNs: bigint | undefined
  generated: number
  timer: ReturnType<typeof setTimeout> | undefined
  fixedTime: { sec: number; nsec: number } | undefined
  startedAtMs: number
  stopped: boolean
}

export const dummyInput = defineInput({
  name: 'dummy',
  description: 'Generate a fixed record at a steady rate (testing, benchmarks, getting started)',
  options: {
    dummy: { type: 'str', default: '{"message":"dummy"}', description: 'Dummy JSON record.' },
    metadata: {
      type: 'str',
      default: '{}',
      description: 'Dummy JSON metadata (checked to be a JSON object).',
      ignored: 'Sluice records carry no separate metadata',
    },
    rate: {
      type: 'int',
      default: '1',
      description: 'Rate at which records are generated, times per second (below 1: once per second).',
    },
    interval_sec: {
      type: 'int',
      default: '0',
      description: 'Seconds between generations; when set (with interval_nsec), Rate is ignored.',
    },
    interval_nsec: {
      type: 'int',
      default: '0',
      description: 'Nanoseconds between generations; when set (with interval_sec), Rate is ignored.',
    },
    copies: { type: 'int', default: '1', description: 'Number of records to generate each time.' },
    samples: {
      type: 'int',
      default: '0',
      description: 'Stop after generating this many times; 0 means no limit.',
    },
    start_time_sec: {
      type: 'int',
      default: '-1',
      description: 'Base timestamp, seconds; -1 uses the current time.',
    },
    start_time_nsec: {
      type: 'int',
      default: '-1',
      description: 'Base timestamp, nanoseconds; -1 uses the current time.',
    },
    fixed_timestamp: {
      type: 'bool',
      default: 'false',
      description: 'Use one fixed timestamp for every record (generated once).',
    },
    flush_on_startup: {
      type: 'bool',
      default: 'false',
      description: 'Generate the first records at startup instead of after the first interval.',
    },
  },
  init(o): DummyState {
    parseObject('dummy', o.dummy)
    parseObject('metadata', o.metadata)
    if (o.copies < 1) throw new Error(`invalid copies ${o.copies}: at least 1`)
    if (o.samples < 0) throw new Error(`invalid samples ${o.samples}: 0 (no limit) or more`)
    if (o.interval_sec < 0 || o.interval_nsec < 0) throw new Error('invalid interval: must not be negative')
    const intervalMs = o.interval_sec * 1000 + o.interval_nsec / 1e6
    const startSet = o.start_time_sec >= 0 || o.start_time_nsec >= 0
    return {
      // re-serialized compactly: every record gets its own body from one JSON.parse
      text: JSON.stringify(parseObject('dummy', o.dummy)),
      // as Fluent Bit: a rate below 2 means once per second
      periodMs: intervalMs > 0 ? intervalMs : 1000 / Math.max(1, o.rate),
      copies: o.copies,
      samples: o.samples,
      fixed: o.fixed_timestamp,
      flushOnStartup: o.flush_on_startup,
      startNs: startSet
        ? BigInt(Math.max(0, o.start_time_sec)) * 1_000_000_000n + BigInt(Math.max(0, o.start_time_nsec))
        : undefined,
      generated: 0,
      timer: undefined,
      fixedTime: undefined,
      startedAtMs: 0,
      stopped: false,
    }
  },
  start(s, ctx) {
    s.startedAtMs = Date.now()
    // Fixed_timestamp: one timestamp generated once, the start time itself when one is set
    if (s.fixed) s.fixedTime = timestamp(s)
    let due = s.flushOnStartup ? 1 : 0
    let last = Date.now()
    // Timers fire at most every ~1 ms; at higher rates each tick generates what is due since the
    // last one (in one batch), which also keeps the emit per batch rather than per record.
    const tickMs = Math.max(1, s.periodMs)
    const tick = () => {
      s.timer = undefined
      if (s.stopped) return
      const now = Date.now()
      due += (now - last) / s.periodMs
      last = now
      if (ctx.paused) {
        // backpressure: generate nothing while paused, and do not catch up afterwards
        due = 0
        void ctx.whenResumed().then(() => {
          last = Date.now()
          if (!s.stopped && s.timer === undefined) s.timer = setTimeout(tick, tickMs)
        })
        return
      }
      let times = Math.floor(due + 1e-9)
      due -= times
      if (s.samples > 0) times = Math.min(times, s.samples - s.generated)
      if (times > 0) {
        const events: LogEvent[] = []
        for (let t = 0; t < times; t++) {
          const ts = timestamp(s)
          for (let c = 0; c < s.copies; c++)
            events.push({ sec: ts.sec, nsec: ts.nsec, body: JSON.parse(s.text) as Body })
        }
        s.generated += times
        ctx.emit(ctx.tag, events)
      }
      if (s.samples > 0 && s.generated >= s.samples) {
        ctx.log.debug(`generated ${s.samples} samples; stopped`)
        return
      }
      s.timer = setTimeout(tick, tickMs)
    }
    if (s.flushOnStartup) tick()
    else s.timer = setTimeout(tick, tickMs)
  },
  stop(s) {
    s.stopped = true
    if (s.timer !== undefined) clearTimeout(s.timer)
    s.timer = undefined
  },
})

function timestamp(s: DummyState): { sec: number; nsec: number } {
  if (s.fixed && s.fixedTime) return s.fixedTime
  let t: { sec: number; nsec: number }
  if (s.startNs !== undefined) {
    const ns = s.startNs + BigInt(Date.now() - s.startedAtMs) * 1_000_000n
    t = { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) }
  } else {
    const ms = Date.now()
    t = { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 }
  }
  if (s.fixed) s.fixedTime = t
  return t
}
