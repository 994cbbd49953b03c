// `cpu`: CPU usage of the system (or of one process) in percent per interval, with Fluent Bit's
// record shape: cpu_p, user_p, system_p, and per core cpuN.p_cpu, cpuN.p_user, cpuN.p_system.

import { cpus } from 'node:os'
import { defineInput } from '../../plugin.ts'
import { intervalMs, intervalOptions, pct, type Sampler, startSampling, stopSampling } from './interval.ts'
import { type CpuTimes, readCpuTimes, readProcessTimes } from './proc-stat.ts'

const TICKS = 100 // USER_HZ

export function cpuRecord(
  prev: Map<string, CpuTimes>,
  cur: Map<string, CpuTimes>,
  perCpu: boolean,
): Record<string, number> | undefined {
  const rate = (name: string) => {
    const a = prev.get(name)
    const b = cur.get(name)
    if (!a || !b) return undefined
    const total = b.total - a.total
    if (total <= 0) return { cpu: 0, user: 0, system: 0 }
    const user = ((b.user - a.user) / total) * 100
    const system = ((b.system - a.system) / total) * 100
    return { cpu: user + system, user, system }
  }
  const all = rate('cpu')
  if (!all) return undefined
  const out: Record<string, number> = { cpu_p: pct(all.cpu), user_p: pct(all.user), system_p: pct(all.system) }
  if (perCpu) {
    for (const name of cur.keys()) {
      if (name === 'cpu') continue
      const r = rate(name)
      if (!r) continue
      out[`${name}.p_cpu`] = pct(r.cpu)
      out[`${name}.p_user`] = pct(r.user)
      out[`${name}.p_system`] = pct(r.system)
    }
  }
  return out
}

export default defineInput({
  name: 'cpu',
  description: 'CPU usage of the system or of one process, in percent per interval (Linux)',
  options: {
    ...intervalOptions,
    pid: { type: 'int', description: 'Measure this process instead of the whole system.' },
    per_cpu: {
      type: 'bool',
      default: 'on',
      description: 'Sluice: include the per-core cpuN.* keys (Fluent Bit always does).',
    },
  },
  init(o) {
    return { o, ms: intervalMs(o) } as { o: typeof o; ms: number } & Sampler
  },
  start(st, ctx) {
    const { o } = st
    if (o.pid !== undefined) {
      const pid = o.pid
      const n = cpus().length
      let prev = readProcessTimes(pid)
      let prevAt = Date.now()
      startSampling(st, ctx, st.ms, () => {
        const cur = readProcessTimes(pid)
        const now = Date.now()
        const secs = (now - prevAt) / 1000
        const user = ((cur.user - prev.user) / TICKS / secs / n) * 100
        const system = ((cur.system - prev.system) / TICKS / secs / n) * 100
        prev = cur
        prevAt = now
        return { cpu_p: pct(user + system), user_p: pct(user), system_p: pct(system) }
      })
      return
    }
    let prev = readCpuTimes()
    startSampling(st, ctx, st.ms, () => {
      const cur = readCpuTimes()
      const r = cpuRecord(prev, cur, o.per_cpu)
      prev = cur
      return r
    })
  },
  stop: (st) => stopSampling(st),
})
