// Shared by the metric inputs: Interval_Sec + Interval_NSec (Fluent Bit: total interval =
// Interval_Sec + Interval_NSec / 1e9), and a timer that samples, emits one record, and never overlaps.

import { eventNow } from '@sluice/core/record.ts'
import type { InputContext } from '../../plugin.ts'

export const intervalOptions = {
  interval_sec: { type: 'int', default: '1', description: 'Polling interval, seconds.' },
  interval_nsec: { type: 'int', default: '0', description: 'Polling interval, nanoseconds (added to Interval_Sec).' },
} as const

export function intervalMs(o: { interval_sec: number; interval_nsec: number }): number {
  const ms = o.interval_sec * 1000 + o.interval_nsec / 1e6
  if (!(ms > 0)) throw new Error('Interval_Sec and Interval_NSec add up to zero: set a positive interval')
  return ms
}

export interface Sampler {
  timer?: NodeJS.Timeout
}

/** Calls `sample` every `ms`; a non-undefined result is emitted as one record under the input's tag. */
export function startSampling(
  state: Sampler,
  ctx: InputContext,
  ms: number,
  sample: () => Record<string, unknown> | undefined,
): void {
  const tick = () => {
    if (ctx.paused) return
    try {
      const body = sample()
      if (body) ctx.emit(ctx.tag, [eventNow(body)])
    } catch (e) {
      ctx.log.warn(`cannot sample: ${(e as Error).message}`)
    }
  }
  state.timer = setInterval(tick, ms)
}

export function stopSampling(state: Sampler): void {
  if (state.timer) clearInterval(state.timer)
  state.timer = undefined
}

/** Rounds to two decimals, as Fluent Bit prints percentages. */
export function pct(x: number): number {
  return Math.round(x * 100) / 100
}
