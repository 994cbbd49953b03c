// A fixed workload written as fast as possible (benchmarks, tests): about `lines` CRI lines with
// event times spread over [startMs, startMs + spanMs].

import { Workload, type WorkloadOptions, type WorkloadStats } from './workload.ts'

export interface BatchOptions extends WorkloadOptions {
  /** Target number of CRI lines (the result may exceed it by one event's lines). */
  readonly lines: number
  readonly startMs?: number
  readonly spanMs?: number
}

export interface BatchResult {
  readonly stats: WorkloadStats
  /** The /var/log/containers symlinks, one per container file. */
  readonly files: string[]
  readonly containersDir: string
}

export function generateBatch(opts: BatchOptions): BatchResult {
  const w = new Workload(opts)
  const span = opts.spanMs ?? 3_600_000
  const start = opts.startMs ?? Date.now() - span
  const chunk = 10_000
  // Events produce slightly more than one line on average (stack traces, stderr companions).
  const estEvents = Math.max(1, Math.ceil(opts.lines / 1.05))
  let done = 0
  while (w.stats.lines < opts.lines) {
    const n = Math.min(chunk, Math.max(1, Math.ceil((opts.lines - w.stats.lines) / 1.05)))
    const from = start + (done / estEvents) * span
    const to = start + ((done + n) / estEvents) * span
    w.writeEvents(n, from, Math.min(to, start + span))
    done += n
  }
  w.close()
  return { stats: w.stats, files: w.logs.map((l) => l.link), containersDir: w.containersDir }
}
