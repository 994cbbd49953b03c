// Test and benchmark support for filters: a FilterContext backed by memory (metrics, a logger that
// keeps lines, a fake parser registry, files), an Ack that counts, and `setupFilter`, which resolves
// `KEY VALUE` entries through the plugin's option table exactly as the engine does.

import { memoryLogger } from '@sluice/core/log.ts'
import { type ConfigEntry, resolveOptions } from '@sluice/core/options.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import { filterCommonOptions } from '../common-options.ts'
import { createMetrics, type MetricsRegistry } from '../metrics.ts'
import { createMultilineRegistry } from '../multiline/index.ts'
import type { Parser, ParserRegistry } from '../parsers/types.ts'
import type { Ack, AnyFilterPlugin, FilterContext } from '../plugin.ts'

export interface CountingAck extends Ack {
  retained: number
  released: number
  rejected: number
  /** Retains not yet released. */
  readonly held: number
}

export function countingAck(): CountingAck {
  const a = {
    retained: 0,
    released: 0,
    rejected: 0,
    get held() {
      return a.retained - a.released
    },
    retain() {
      a.retained++
    },
    release(rejected = 0) {
      a.released++
      a.rejected += rejected
    },
  }
  return a
}

export interface Emitted {
  tag: string
  events: LogEvent[]
  ack: Ack
}

export interface TestContextOptions {
  parsers?: Parser[]
  files?: Record<string, string>
  id?: string
}

export function testContext(o: TestContextOptions = {}): FilterContext & {
  emitted: Emitted[]
  lines: string[]
  metrics: MetricsRegistry
  abort: AbortController
} {
  const log = memoryLogger('debug')
  const parsers: ParserRegistry = {
    get: (n) => o.parsers?.find((p) => p.name === n),
    names: () => (o.parsers ?? []).map((p) => p.name),
  }
  const emitted: Emitted[] = []
  const abort = new AbortController()
  return {
    id: o.id ?? 'test.0',
    log,
    lines: log.lines,
    metrics: createMetrics(),
    parsers,
    multiline: createMultilineRegistry([]).registry,
    service: { flush: 1, grace: 5, logLevel: 'info' },
    resolvePath: (p) => p,
    async readFile(p) {
      const text = o.files?.[p]
      if (text === undefined) throw new Error(`cannot read ${p}: no such file`)
      return text
    },
    signal: abort.signal,
    abort,
    emitted,
    emit(tag, events, ack) {
      emitted.push({ tag, events, ack })
    },
  }
}

export type Pairs = readonly (readonly [string, string])[]

/** Resolves options as the engine does; throws with every diagnostic when the config is wrong. */
export function resolveFilterOptions(plugin: AnyFilterPlugin, pairs: Pairs): Record<string, unknown> {
  const entries: ConfigEntry[] = pairs.map(([key, value]) => ({ key, value }))
  const { values, diagnostics } = resolveOptions(plugin.options, entries, {
    instance: `filter.${plugin.name}.0`,
    passThrough: (k) => k in filterCommonOptions,
  })
  const errors = diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('; '))
  return values
}

export interface FilterHarness {
  ctx: ReturnType<typeof testContext>
  state: unknown
  /** Runs one batch (copies of the given records) and returns what passed. */
  run(events: LogEvent[], tag?: string, ack?: Ack): Promise<LogEvent[]>
  /** Runs bodies at time 1.0 and returns output bodies. */
  bodies(bodies: Record<string, unknown>[], tag?: string): Promise<Record<string, unknown>[]>
  flush(): Promise<void>
  stop(): Promise<void>
}

export async function setupFilter(
  plugin: AnyFilterPlugin,
  pairs: Pairs,
  o: TestContextOptions = {},
): Promise<FilterHarness> {
  const ctx = testContext(o)
  const values = resolveFilterOptions(plugin, pairs)
  const state = await plugin.init(values, ctx)
  const h: FilterHarness = {
    ctx,
    state,
    async run(events, tag = 'kube.var.log', ack = countingAck()) {
      return plugin.filter(events, tag, state, ctx, ack)
    },
    async bodies(bodies, tag) {
      const out = await h.run(
        bodies.map((b) => ({ sec: 1, nsec: 0, body: structuredClone(b) })),
        tag,
      )
      return out.map((e) => e.body)
    },
    async flush() {
      await plugin.flush?.(state, ctx)
    },
    async stop() {
      await plugin.stop?.(state)
    },
  }
  return h
}

/** A parser for tests: JSON objects. */
export const jsonParser: Parser = {
  name: 'json',
  format: 'json',
  parse(text) {
    try {
      const v = JSON.parse(text)
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return null
      if (typeof v.time === 'string') {
        const ms = Date.parse(v.time)
        if (!Number.isNaN(ms)) {
          const { time: _t, ...rest } = v
          return { body: rest, sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 }
        }
      }
      return { body: v }
    } catch {
      return null
    }
  },
}

/** A parser for tests: `key=value` pairs separated by spaces. */
export const logfmtParser: Parser = {
  name: 'logfmt',
  format: 'logfmt',
  parse(text) {
    const body: Record<string, unknown> = {}
    for (const part of text.trim().split(/\s+/)) {
      const i = part.indexOf('=')
      if (i <= 0) return null
      body[part.slice(0, i)] = part.slice(i + 1)
    }
    return { body }
  },
}
