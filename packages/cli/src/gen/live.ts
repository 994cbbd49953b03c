// A live workload: a steady event rate with bursts, pods that come and go, rotation. Runs until the
// signal aborts, then flushes and closes every file.

import type { Pod } from './cluster.ts'
import { Workload, type WorkloadOptions } from './workload.ts'

export interface LiveOptions extends WorkloadOptions {
  /** Events per second in steady state. */
  readonly rate: number
  /** Every `burstEverySec` seconds, `burstSec` seconds at `burstFactor` × rate (0: no bursts). */
  readonly burstEverySec?: number
  readonly burstSec?: number
  readonly burstFactor?: number
  /** Replace one pod every this many seconds (0: never). */
  readonly churnEverySec?: number
  /** A stopped pod's logs are deleted this many seconds later. */
  readonly deleteAfterSec?: number
  readonly tickMs?: number
  readonly signal?: AbortSignal
}

export async function runLive(opts: LiveOptions, onTick?: (w: Workload) => void): Promise<Workload> {
  const w = new Workload({ rotateBytes: 8 << 20, ...opts })
  const tick = opts.tickMs ?? 200
  const t0 = Date.now()
  let last = t0
  let carry = 0
  let nextChurn = t0 + (opts.churnEverySec ?? 30) * 1000
  const doomed: { pod: Pod; at: number }[] = []
  while (!opts.signal?.aborted) {
    await new Promise((r) => setTimeout(r, tick))
    const now = Date.now()
    const since = (now - t0) / 1000
    const every = opts.burstEverySec ?? 60
    const bursting = every > 0 && since % every < (opts.burstSec ?? 5)
    const rate = opts.rate * (bursting ? (opts.burstFactor ?? 5) : 1)
    carry += (rate * (now - last)) / 1000
    const n = Math.floor(carry)
    carry -= n
    if (n > 0) w.writeEvents(n, last, now)
    last = now
    w.flush()
    if ((opts.churnEverySec ?? 30) > 0 && now >= nextChurn) {
      const old = w.churn()
      if (old) doomed.push({ pod: old, at: now + (opts.deleteAfterSec ?? 20) * 1000 })
      nextChurn = now + (opts.churnEverySec ?? 30) * 1000
    }
    while (doomed.length > 0 && doomed[0]!.at <= now) w.deletePod(doomed.shift()!.pod)
    onTick?.(w)
  }
  w.close()
  return w
}
