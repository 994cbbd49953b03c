// CPU and memory of a child process, read from /proc (Linux): the benchmark measures the agent and the
// server as the separate processes they are in production.

import { readFileSync } from 'node:fs'

const TICKS = 100 // USER_HZ on Linux

/** User + system CPU seconds the process has used so far (not its children). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS
}

/** Peak resident set size in bytes (VmHWM). */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

/**
 * Current private (anonymous) resident memory in bytes (RssAnon): the heap, buffers and JIT code,
 * without the file-backed pages of the node binary and libraries (shared by every process using them).
 */
export function anonRss(pid: number): number {
  const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
