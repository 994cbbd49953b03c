// `mem`: memory and swap of the system in kB (Fluent Bit's shape: Mem.total, Mem.used, Mem.free,
// Swap.total, Swap.used, Swap.free), or the RSS of one process.

import { readFileSync } from 'node:fs'
import { defineInput } from '../../plugin.ts'
import { intervalMs, intervalOptions, type Sampler, startSampling, stopSampling } from './interval.ts'
import { readMeminfo } from './proc-stat.ts'

export function memRecord(m: Record<string, number>): Record<string, number> {
  const total = m.MemTotal ?? 0
  const free = m.MemFree ?? 0
  const swapTotal = m.SwapTotal ?? 0
  const swapFree = m.SwapFree ?? 0
  // As Fluent Bit computes it from sysinfo(2): used = total - free (page cache counts as used).
  return {
    'Mem.total': total,
    'Mem.used': total - free,
    'Mem.free': free,
    'Swap.total': swapTotal,
    'Swap.used': swapTotal - swapFree,
    'Swap.free': swapFree,
  }
}

export default defineInput({
  name: 'mem',
  description: 'Memory and swap usage of the system (or the memory of one process), in kB (Linux)',
  options: {
    ...intervalOptions,
    pid: { type: 'int', description: 'Report the memory of this process (proc.Mem.* keys, kB) instead of the system.' },
  },
  init(o) {
    return { o, ms: intervalMs(o) } as { o: typeof o; ms: number } & Sampler
  },
  start(st, ctx) {
    const pid = st.o.pid
    startSampling(st, ctx, st.ms, () => {
      if (pid === undefined) return memRecord(readMeminfo())
      const s = readFileSync(`/proc/${pid}/status`, 'utf8')
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0)
      return {
        'proc.Mem.VmPeak': kb('VmPeak'),
        'proc.Mem.VmSize': kb('VmSize'),
        'proc.Mem.VmRSS': kb('VmRSS'),
        'proc.Mem.VmHWM': kb('VmHWM'),
      }
    })
  },
  stop: (st) => stopSampling(st),
})
