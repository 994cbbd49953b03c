// Small fake plugins and hand-built configs for the engine's tests, so that they do not depend on
// the real plugins or the config loader.

import type { LoadedConfig, Section, SectionKind } from '@sluice/core/config/model.ts'
import { memoryLogger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { AgentOptions } from '../agent.ts'
import {
  type Ack,
  type AckCallback,
  type DeliveryOutcome,
  defineFilter,
  defineInput,
  defineOutput,
  type FlushResult,
  type InputContext,
} from '../plugin.ts'
import type { PluginSet } from './plan.ts'
import type { Timing } from './timing.ts'

type Entries = Record<string, string | number>

export interface ConfigSpec {
  service?: Entries
  inputs?: Entries[]
  filters?: Entries[]
  outputs?: Entries[]
}

/** A LoadedConfig as the loader would produce for a classic file, with line numbers. */
export function makeConfig(spec: ConfigSpec, file = 'test.conf'): LoadedConfig {
  let line = 1
  const section = (kind: SectionKind, e: Entries): Section => {
    const loc = { file, line: line++ }
    const entries = Object.entries(e).map(([key, value]) => ({
      key,
      value: String(value),
      loc: { file, line: line++ },
    }))
    return { kind, loc, entries }
  }
  return {
    entry: file,
    files: [file],
    baseDir: '/nonexistent',
    service: spec.service ? [section('service', spec.service)] : [],
    inputs: (spec.inputs ?? []).map((e) => section('input', e)),
    filters: (spec.filters ?? []).map((e) => section('filter', e)),
    outputs: (spec.outputs ?? []).map((e) => section('output', e)),
    parsers: [],
    multilineParsers: [],
    diagnostics: [],
    virtualFiles: new Map(),
  }
}

/** Durations scaled 1000× down (Flush 1 s → 1 ms), jitter fixed at the middle. */
export const fastTiming: Partial<Timing> = { scale: 0.001, random: () => 0.5 }

export type Behaviour = (
  events: readonly LogEvent[],
  tag: string,
  attempt: number,
) => FlushResult | Promise<FlushResult>

/** A test bench: fake plugins whose instances the test can drive and observe. */
export function bench() {
  const inputs = new Map<string, InputContext>()
  const inputStates = new Map<
    string,
    { id: string; started: number; stopped: number; paused: number; resumed: number }
  >()
  const delivered = new Map<string, { tag: string; events: LogEvent[] }[]>()
  const attempts = new Map<string, number>()
  const behaviours = new Map<string, Behaviour>()
  let inflight = 0
  let maxInflight = 0

  const fakeIn = defineInput({
    name: 'fake_in',
    description: 'test input driven by the test',
    options: { label: { type: 'str', description: 'Any text (changes the fingerprint).' } },
    init(_o, ctx) {
      const s = { id: ctx.id, started: 0, stopped: 0, paused: 0, resumed: 0 }
      inputStates.set(ctx.id, s)
      return s
    },
    start(s, ctx) {
      s.started++
      inputs.set(ctx.id, ctx)
    },
    stop(s) {
      s.stopped++
    },
    pause(s) {
      s.paused++
    },
    resume(s) {
      s.resumed++
    },
  })

  const badIn = defineInput({
    name: 'bad_in',
    description: 'input whose init fails',
    options: {},
    init() {
      throw new Error('bad_in refuses to init')
    },
    start() {},
  })

  const fakeOut = defineOutput({
    name: 'fake_out',
    description: 'test output; behaviour set by the test per instance id',
    options: { label: { type: 'str', description: 'Any text.' } },
    init(_o, ctx) {
      delivered.set(ctx.id, delivered.get(ctx.id) ?? [])
      return { id: ctx.id }
    },
    async flush(events, tag, s) {
      const n = (attempts.get(s.id) ?? 0) + 1
      attempts.set(s.id, n)
      inflight++
      maxInflight = Math.max(maxInflight, inflight)
      try {
        const b = behaviours.get(s.id)
        const r = b ? await b(events, tag, n) : { kind: 'ok' as const }
        if (r.kind === 'ok') delivered.get(s.id)!.push({ tag, events: [...events] })
        if (r.kind === 'partial') {
          const out = new Set([...r.retry, ...r.rejected.map((x) => x.event)])
          delivered.get(s.id)!.push({ tag, events: events.filter((e) => !out.has(e)) })
        }
        return r
      } finally {
        inflight--
      }
    },
  })

  const fakeFilter = defineFilter({
    name: 'fake_filter',
    description: 'test filter',
    options: {
      action: {
        type: 'str',
        default: 'mark',
        values: ['mark', 'drop_all', 'drop_odd', 'double', 'async_mark', 'reemit', 'hold', 'throw'],
        description: 'What to do.',
      },
      field: { type: 'str', default: 'seen', description: 'Field to set.' },
      new_tag: { type: 'str', default: 'reemitted', description: 'Tag for reemit.' },
    },
    init(o) {
      return { ...o, held: [] as { tag: string; events: LogEvent[]; ack: Ack }[] }
    },
    flush(o, ctx) {
      // emits what `hold` kept (as a multiline filter does at shutdown or reload)
      for (const h of o.held.splice(0)) ctx.emit(h.tag, h.events, h.ack)
    },
    filter(events, tag, o, ctx, ack: Ack) {
      switch (o.action) {
        case 'mark':
          for (const e of events) e.body[o.field] = ((e.body[o.field] as number | undefined) ?? 0) + 1
          return events
        case 'drop_all':
          return []
        case 'drop_odd':
          return events.filter((e) => (e.body.n as number) % 2 === 0)
        case 'double':
          return events.flatMap((e) => [e, { ...e, body: { ...e.body, copy: true } }])
        case 'async_mark':
          return new Promise<LogEvent[]>((resolve) =>
            setTimeout(() => {
              for (const e of events) e.body[o.field] = 'async'
              resolve(events)
            }, 2),
          )
        case 'reemit': {
          // hold the batch, emit a copy under a new tag later, drop the original
          ack.retain()
          const copy = events.map((e) => ({ ...e, body: { ...e.body, reemitted: true } }))
          setTimeout(() => ctx.emit(o.new_tag, copy, ack), 2)
          return []
        }
        case 'hold':
          ack.retain()
          o.held.push({ tag, events: [...events], ack })
          return []
        case 'throw':
          throw new Error('fake filter failure')
      }
    },
  })

  const plugins: PluginSet = { inputs: [fakeIn, badIn], filters: [fakeFilter], outputs: [fakeOut] }
  const log = memoryLogger('debug')

  return {
    plugins,
    inputs,
    inputStates,
    delivered,
    attempts,
    behaviours,
    log,
    get maxInflight() {
      return maxInflight
    },
    /** Options for createAgent with this bench's plugins, fast timing and an in-memory log. */
    options(extra: Partial<AgentOptions> = {}): AgentOptions {
      return { plugins, timing: fastTiming, logWrite: (l) => log.lines.push(l), logLevel: 'debug', ...extra }
    },
    /** Records delivered by an output, flattened. */
    records(outputId: string): LogEvent[] {
      return (delivered.get(outputId) ?? []).flatMap((b) => b.events)
    },
    input(id: string): InputContext {
      const c = inputs.get(id)
      if (!c) throw new Error(`no started input ${id}`)
      return c
    },
  }
}

export function events(n: number, from = 0, extra: Record<string, unknown> = {}): LogEvent[] {
  const out: LogEvent[] = []
  for (let i = 0; i < n; i++) out.push({ sec: 1_700_000_000, nsec: i, body: { n: from + i, ...extra } })
  return out
}

/** An AckCallback that records every call. */
export function ackSpy(): AckCallback & { calls: DeliveryOutcome[] } {
  const calls: DeliveryOutcome[] = []
  const f = (o: DeliveryOutcome) => {
    calls.push(o)
  }
  return Object.assign(f, { calls })
}

/** Polls until `cond` holds; fails after `timeoutMs` with `what`. Not a timing assertion. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** A promise with its resolve function, to block an output until the test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void
  const promise = new Promise<void>((r) => {
    open = r
  })
  return { promise, open }
}
