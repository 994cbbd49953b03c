// Plugin contexts for tests that drive an input or a filter directly (without the engine): an
// in-memory logger, fresh metrics, empty parser and multiline registries unless given.

import { memoryLogger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import { createMetrics, type MetricsRegistry } from '../metrics.ts'
import type { AckCallback, FilterContext, InputContext, PluginContext } from '../plugin.ts'

type TestLogger = ReturnType<typeof memoryLogger>

export function testPluginContext(
  id: string,
  extra: Partial<PluginContext> & { metrics?: MetricsRegistry } = {},
): PluginContext & { log: TestLogger } {
  return {
    id,
    log: memoryLogger(),
    metrics: createMetrics(),
    parsers: { get: () => undefined, names: () => [] },
    multiline: {
      names: () => [],
      has: () => false,
      create: () => {
        throw new Error('no multiline parsers in this test')
      },
    },
    service: { flush: 1, grace: 1, logLevel: 'info' },
    resolvePath: (p) => p,
    readFile: async () => '',
    signal: new AbortController().signal,
    ...extra,
  } as PluginContext & { log: TestLogger }
}

/** An input context that records what is emitted; acks at once when `ack` is true, else keeps them. */
export function testInputContext(
  tag: string,
  ack = true,
): InputContext & { log: TestLogger; events: LogEvent[]; acks: AckCallback[] } {
  const events: LogEvent[] = []
  const acks: AckCallback[] = []
  return {
    ...testPluginContext(`${tag}.0`),
    tag,
    events,
    acks,
    emit: (_t, e, cb) => {
      events.push(...e)
      if (cb) {
        if (ack) cb({ delivered: e.length, rejected: 0 })
        else acks.push(cb)
      }
    },
    paused: false,
    whenResumed: async () => undefined,
  }
}

export function testFilterContext(id: string, extra: Partial<PluginContext> = {}): FilterContext & { log: TestLogger } {
  return { ...testPluginContext(id, extra), emit: () => undefined }
}
