// `netif`: traffic of one network interface per interval (Fluent Bit's shape:
// <if>.rx.bytes, <if>.rx.packets, <if>.rx.errors, <if>.tx.bytes, <if>.tx.packets, <if>.tx.errors;
// Verbose adds drops), from /proc/net/dev.

import { defineInput } from '../../plugin.ts'
import { intervalMs, intervalOptions, type Sampler, startSampling, stopSampling } from './interval.ts'
import { type NetCounters, readNetDev } from './proc-stat.ts'

export function netifRecord(name: string, a: NetCounters, b: NetCounters, verbose: boolean): Record<string, number> {
  const out: Record<string, number> = {
    [`${name}.rx.bytes`]: b.rxBytes - a.rxBytes,
    [`${name}.rx.packets`]: b.rxPackets - a.rxPackets,
    [`${name}.rx.errors`]: b.rxErrors - a.rxErrors,
    [`${name}.tx.bytes`]: b.txBytes - a.txBytes,
    [`${name}.tx.packets`]: b.txPackets - a.txPackets,
    [`${name}.tx.errors`]: b.txErrors - a.txErrors,
  }
  if (verbose) {
    out[`${name}.rx.drop`] = b.rxDrop - a.rxDrop
    out[`${name}.tx.drop`] = b.txDrop - a.txDrop
  }
  return out
}

export default defineInput({
  name: 'netif',
  description: 'Network interface traffic per interval (Linux)',
  options: {
    ...intervalOptions,
    interface: { type: 'str', required: true, description: 'Interface to monitor, e.g. eth0.' },
    verbose: { type: 'bool', default: 'false', description: 'Also report dropped packets.' },
    test_at_init: { type: 'bool', default: 'false', description: 'Fail at start when the interface does not exist.' },
  },
  init(o) {
    if (o.test_at_init && !readNetDev().has(o.interface))
      throw new Error(`network interface '${o.interface}' does not exist (see /proc/net/dev)`)
    return { o, ms: intervalMs(o) } as { o: typeof o; ms: number } & Sampler
  },
  start(st, ctx) {
    const name = st.o.interface
    let prev = readNetDev().get(name)
    let warned = false
    startSampling(st, ctx, st.ms, () => {
      const cur = readNetDev().get(name)
      if (!cur) {
        if (!warned) ctx.log.warn(`network interface '${name}' not found in /proc/net/dev`)
        warned = true
        return undefined
      }
      const r = prev ? netifRecord(name, prev, cur, st.o.verbose) : undefined
      prev = cur
      return r
    })
  },
  stop: (st) => stopSampling(st),
})
