// /proc readers for the metric inputs (Linux, proc(5)). Each returns raw counters; the inputs turn
// successive samples into rates. Paths are injectable so tests can use fixture files.

import { readFileSync } from 'node:fs'

export interface CpuTimes {
  user: number
  system: number
  total: number
}

/** `cpu` (all) and `cpuN` lines of /proc/stat: user+nice, system+irq+softirq, and the total. */
export function readCpuTimes(path = '/proc/stat'): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>()
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('cpu')) continue
    const [name, ...rest] = line.trim().split(/\s+/)
    const v = rest.map(Number)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v
    out.set(name!, {
      user: user + nice,
      system: system + irq + softirq,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
    })
  }
  return out
}

/** utime and stime (clock ticks) of one process, from /proc/<pid>/stat. */
export function readProcessTimes(pid: number, root = '/proc'): { user: number; system: number } {
  const s = readFileSync(`${root}/${pid}/stat`, 'utf8')
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
  return { user: Number(f[11]), system: Number(f[12]) }
}

/** /proc/meminfo values in kB. */
export function readMeminfo(path = '/proc/meminfo'): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line)
    if (m) out[m[1]!] = Number(m[2])
  }
  return out
}

/** Sectors read and written per device from /proc/diskstats (whole devices and partitions). */
export function readDiskstats(path = '/proc/diskstats'): Map<string, { read: number; written: number }> {
  const out = new Map<string, { read: number; written: number }>()
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10) continue
    out.set(f[2]!, { read: Number(f[5]), written: Number(f[9]) })
  }
  return out
}

export interface NetCounters {
  rxBytes: number
  rxPackets: number
  rxErrors: number
  rxDrop: number
  txBytes: number
  txPackets: number
  txErrors: number
  txDrop: number
}

/** Per-interface counters from /proc/net/dev. */
export function readNetDev(path = '/proc/net/dev'): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>()
  for (const line of readFileSync(path, 'utf8').split('\n').slice(2)) {
    const i = line.indexOf(':')
    if (i < 0) continue
    const v = line
      .slice(i + 1)
      .trim()
      .split(/\s+/)
      .map(Number)
    out.set(line.slice(0, i).trim(), {
      rxBytes: v[0]!,
      rxPackets: v[1]!,
      rxErrors: v[2]!,
      rxDrop: v[3]!,
      txBytes: v[8]!,
      txPackets: v[9]!,
      txErrors: v[10]!,
      txDrop: v[11]!,
    })
  }
  return out
}
