// Runs an output plugin the way the engine does, for tests: options resolved from `key value` pairs
// through the plugin's table (defaults, types, unknown keys), a context with an in-memory logger and
// metrics, and a flush loop that re-sends `partial` retries and `retry` batches like the engine would.

import { memoryLogger } from '@sluice/core/log.ts'
import { resolveOptions } from '@sluice/core/options.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createMetrics, type MetricsRegistry } from '../metrics.ts'
import type { AnyOutputPlugin, FlushResult, OutputContext, Rejection } from '../plugin.ts'

export interface Harness<S> {
  readonly ctx: OutputContext & { log: ReturnType<typeof memoryLogger> }
  readonly state: S
  readonly metrics: MetricsRegistry
  flush(events: readonly LogEvent[], tag: string): Promise<FlushResult>
  stop(): Promise<void>
}

export async function startOutput<S = unknown>(
  plugin: AnyOutputPlugin,
  options: Record<string, string>,
  service: { storagePath?: string } = {},
): Promise<Harness<S>> {
  const entries = Object.entries(options).map(([key, value]) => ({ key, value }))
  const r = resolveOptions(plugin.options, entries, { instance: `output.${plugin.name}.0` })
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length) throw new Error(errors.map((d) => d.message).join('; '))
  const log = memoryLogger('debug')
  const metrics = createMetrics()
  const ac = new AbortController()
  const ctx = {
    id: `${plugin.name}.0`,
    log,
    metrics,
    parsers: undefined as never,
    multiline: undefined as never,
    service: { flush: 1, grace: 5, logLevel: 'debug', storagePath: service.storagePath },
    resolvePath: (p: string) => resolve(p),
    readFile: (p: string) => readFile(p, 'utf8'),
    signal: ac.signal,
  } as OutputContext & { log: ReturnType<typeof memoryLogger> }
  const state = (await plugin.init(r.values, ctx)) as S
  return {
    ctx,
    state,
    metrics,
    flush: (events, tag) => plugin.flush(events, tag, state, ctx),
    async stop() {
      ac.abort()
      await plugin.stop?.(state)
    },
  }
}

export interface Settled {
  /** Flush calls made, each with the number of records it carried. */
  readonly attempts: number[]
  readonly results: FlushResult[]
  readonly rejected: Rejection[]
  /** Records still undelivered when the attempts ran out. */
  readonly pending: readonly LogEvent[]
}

/** Flushes until every record is delivered or rejected, re-sending retries (at most `maxAttempts`). */
export async function flushUntilSettled<S>(
  h: Harness<S>,
  events: readonly LogEvent[],
  tag: string,
  maxAttempts = 10,
): Promise<Settled> {
  let pending: readonly LogEvent[] = events
  const attempts: number[] = []
  const results: FlushResult[] = []
  const rejected: Rejection[] = []
  while (pending.length && attempts.length < maxAttempts) {
    attempts.push(pending.length)
    const r = await h.flush(pending, tag)
    results.push(r)
    if (r.kind === 'ok') pending = []
    else if (r.kind === 'retry') pending = [...pending]
    else if (r.kind === 'error') {
      for (const e of pending) rejected.push({ event: e, reason: r.reason })
      pending = []
    } else {
      rejected.push(...r.rejected)
      pending = r.retry
    }
  }
  return { attempts, results, rejected, pending }
}

/** `n` records with distinct bodies, one second apart from a fixed time. */
export function sampleEvents(
  n: number,
  start = 1_763_800_000,
  extra: (i: number) => Record<string, unknown> = () => ({}),
): LogEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    sec: start + i,
    nsec: 123_456_789,
    body: { log: `line ${i}`, seq: i, ...extra(i) },
  }))
}
