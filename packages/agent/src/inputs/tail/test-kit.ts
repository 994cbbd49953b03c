// Test helpers for the tail input: a fake InputContext that records emitted batches and lets the
// test acknowledge them, and a starter that resolves options the way the engine does.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '@sluice/core/log.ts'
import { resolveOptions } from '@sluice/core/options.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import { createMetrics } from '../../metrics.ts'
import type { MultilineRegistry } from '../../multiline/types.ts'
import type { Parser } from '../../parsers/types.ts'
import type { AckCallback, InputContext } from '../../plugin.ts'
import { tailOptions } from './options.ts'
import { tail } from './tail.ts'
import type { Tailer } from './tailer.ts'

export interface Batch {
  tag: string
  events: LogEvent[]
  ack: () => void
  acked: boolean
}

export interface FakeOptions {
  tag?: string
  autoAck?: boolean
  parsers?: Parser[]
  multiline?: MultilineRegistry
}

export function fakeContext(opts: FakeOptions = {}) {
  const batches: Batch[] = []
  let paused = false
  let waiters: (() => void)[] = []
  const log = memoryLogger('debug')
  const metrics = createMetrics()
  const parsers = opts.parsers ?? []
  const ctx: InputContext = {
    id: 'tail.0',
    log,
    metrics,
    parsers: { get: (n) => parsers.find((p) => p.name === n), names: () => parsers.map((p) => p.name) },
    multiline: opts.multiline ?? {
      names: () => [],
      has: () => false,
      create: () => {
        throw new Error('no multiline in this test')
      },
    },
    service: { flush: 1, grace: 5, logLevel: 'debug' },
    resolvePath: (p) => p,
    readFile: async () => '',
    signal: new AbortController().signal,
    tag: opts.tag ?? 'tail.0',
    emit(tag: string, events: LogEvent[], ack?: AckCallback) {
      const b: Batch = {
        tag,
        events,
        acked: false,
        ack: () => {
          if (b.acked) return
          b.acked = true
          ack?.({ delivered: events.length, rejected: 0 })
        },
      }
      batches.push(b)
      if (opts.autoAck !== false) b.ack()
    },
    get paused() {
      return paused
    },
    whenResumed() {
      if (!paused) return Promise.resolve()
      return new Promise<void>((r) => waiters.push(r))
    },
  }
  return {
    ctx,
    batches,
    log,
    metrics,
    setPaused(p: boolean) {
      paused = p
      if (!p) {
        const w = waiters
        waiters = []
        for (const r of w) r()
      }
    },
    /** Every record's `log` (or `key`) field, in emission order. */
    lines(key = 'log'): string[] {
      return batches.flatMap((b) => b.events.map((e) => String(e.body[key])))
    },
    metric(name: string): number {
      return (
        metrics
          .all()
          .find((m) => m.name === name)
          ?.get({ name: 'tail.0' }) ?? 0
      )
    },
  }
}

export type Fake = ReturnType<typeof fakeContext>

/** Resolves `entries` (Fluent Bit spelling) against the tail table, then init + start. */
export async function startTail(entries: Record<string, string>, fake: Fake): Promise<Tailer> {
  const r = resolveOptions(
    tailOptions,
    Object.entries(entries).map(([key, value]) => ({ key, value })),
    { instance: 'input:tail:tail.0' },
  )
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('; '))
  const t = await tail.init(r.values, fake.ctx)
  await tail.start(t, fake.ctx)
  return t
}

/** Polls `cond` until it holds or the deadline passes (then fails with `what`). */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-tail-'))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
