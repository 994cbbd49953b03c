// `disk`: bytes read and written per interval, summed over whole devices or for one (Fluent Bit's
// shape: read_size, write_size), from /proc/diskstats (sectors of 512 bytes).

import { defineInput } from '../../plugin.ts'
import { intervalMs, intervalOptions, type Sampler, startSampling, stopSampling } from './interval.ts'
import { readDiskstats } from './proc-stat.ts'

const SECTOR = 512

export function diskTotals(
  stats: Map<string, { read: number; written: number }>,
  dev: string | undefined,
): { read: number; written: number } {
  let read = 0
  let written = 0
  for (const [name, s] of stats) {
    // Without Dev_Name, count whole devices only (partitions would count twice); skip loop/ram.
    if (
      dev
        ? name !== dev
        : /^(loop|ram|dm-)/.test(name) ||
          /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+)\d+$/.test(name) ||
          /^nvme\d+n\d+p\d+$/.test(name)
    )
      continue
    read += s.read
    written += s.written
  }
  return { read, written }
}

export default defineInput({
  name: 'disk',
  description: 'Disk bytes read and written per interval (Linux)',
  options: {
    ...intervalOptions,
    dev_name: { type: 'str', description: 'Only this device (e.g. sda); default: all whole devices.' },
  },
  init(o) {
    return { o, ms: intervalMs(o) } as { o: typeof o; ms: number } & Sampler
  },
  start(st, ctx) {
    let prev = diskTotals(readDiskstats(), st.o.dev_name)
    startSampling(st, ctx, st.ms, () => {
      const cur = diskTotals(readDiskstats(), st.o.dev_name)
      const r = { read_size: (cur.read - prev.read) * SECTOR, write_size: (cur.written - prev.written) * SECTOR }
      prev = cur
      return r
    })
  },
  stop: (st) => stopSampling(st),
})
