import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { resolveOptions } from '@sluice/core/options.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { AnyInputPlugin } from '../../plugin.ts'
import { testInputContext } from '../../testing/contexts.ts'
import cpu, { cpuRecord } from './cpu.ts'
import disk, { diskTotals } from './disk.ts'
import mem, { memRecord } from './mem.ts'
import netif, { netifRecord } from './netif.ts'
import { readCpuTimes, readDiskstats, readMeminfo, readNetDev } from './proc-stat.ts'

const dir = mkdtempSync(join(tmpdir(), 'sluice-proc-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const fixture = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

// Formats from proc(5).
describe('/proc parsing and rates', () => {
  test('cpu: overall and per core, user (+nice) and system (+irq+softirq)', () => {
    const a = readCpuTimes(
      fixture(
        'stat1',
        'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 60 0 20 400 20 0 0 0 0 0\ncpu1 40 0 30 400 30 0 0 0 0 0\nintr 1\n',
      ),
    )
    const b = readCpuTimes(
      fixture(
        'stat2',
        'cpu  130 10 70 970 50 5 5 0 0 0\ncpu0 80 10 30 480 20 0 0 0 0 0\ncpu1 50 0 40 490 30 5 5 0 0 0\nintr 2\n',
      ),
    )
    // all: user +40 (130+10-100), system +30 (70+5+5-50), total +240 (1240-1000) → 16.67 %, 12.5 %, 29.17 %
    // cpu1: user +10, system +20, total +120 → 8.33 %, 16.67 %, 25 %
    assert.deepEqual(cpuRecord(a, b, true), {
      cpu_p: 29.17,
      user_p: 16.67,
      system_p: 12.5,
      'cpu0.p_cpu': 33.33,
      'cpu0.p_user': 25,
      'cpu0.p_system': 8.33,
      'cpu1.p_cpu': 25,
      'cpu1.p_user': 8.33,
      'cpu1.p_system': 16.67,
    })
    assert.deepEqual(Object.keys(cpuRecord(a, b, false)!), ['cpu_p', 'user_p', 'system_p'])
  })
  test('mem: Fluent Bit keys in kB', () => {
    const m = readMeminfo(
      fixture(
        'meminfo',
        'MemTotal:       16000000 kB\nMemFree:         4000000 kB\nMemAvailable:    9000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n',
      ),
    )
    assert.deepEqual(memRecord(m), {
      'Mem.total': 16000000,
      'Mem.used': 12000000,
      'Mem.free': 4000000,
      'Swap.total': 2000000,
      'Swap.used': 500000,
      'Swap.free': 1500000,
    })
  })
  test('disk: whole devices only unless Dev_Name; 512-byte sectors', () => {
    const s = readDiskstats(
      fixture(
        'diskstats',
        [
          '   8       0 sda 100 0 1000 0 200 0 3000 0 0 0 0',
          '   8       1 sda1 90 0 900 0 150 0 2500 0 0 0 0',
          '   7       0 loop0 5 0 50 0 0 0 0 0 0 0 0',
          ' 259       0 nvme0n1 10 0 100 0 20 0 200 0 0 0 0',
          ' 259       1 nvme0n1p1 10 0 100 0 20 0 200 0 0 0 0',
        ].join('\n'),
      ),
    )
    assert.deepEqual(diskTotals(s, undefined), { read: 1100, written: 3200 })
    assert.deepEqual(diskTotals(s, 'sda1'), { read: 900, written: 2500 })
  })
  test('netif: deltas with Fluent Bit key names', () => {
    const head =
      'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n'
    const a = readNetDev(fixture('dev1', `${head}  eth0: 1000 10 1 0 0 0 0 0 2000 20 0 0 0 0 0 0\n`)).get('eth0')!
    const b = readNetDev(fixture('dev2', `${head}  eth0: 1500 15 1 2 0 0 0 0 2600 26 1 0 0 0 0 0\n`)).get('eth0')!
    assert.deepEqual(netifRecord('eth0', a, b, false), {
      'eth0.rx.bytes': 500,
      'eth0.rx.packets': 5,
      'eth0.rx.errors': 0,
      'eth0.tx.bytes': 600,
      'eth0.tx.packets': 6,
      'eth0.tx.errors': 1,
    })
    assert.equal(netifRecord('eth0', a, b, true)['eth0.rx.drop'], 2)
  })
})

async function sample(
  plugin: AnyInputPlugin,
  entries: Record<string, string>,
  during?: () => Promise<void>,
): Promise<LogEvent[]> {
  const r = resolveOptions(
    plugin.options,
    Object.entries(entries).map(([key, value]) => ({ key, value })),
    { instance: `input.${plugin.name}.0` },
  )
  assert.deepEqual(r.diagnostics, [])
  const ctx = testInputContext(plugin.name)
  const st = await plugin.init(r.values, ctx)
  await plugin.start(st, ctx)
  try {
    await during?.()
    const end = Date.now() + 5000
    while (ctx.events.length < 2 && Date.now() < end) await new Promise((res) => setTimeout(res, 20))
  } finally {
    await plugin.stop!(st)
  }
  return ctx.events
}

describe('metric inputs on this machine', () => {
  test('cpu, mem and disk emit Fluent Bit-shaped records every interval', async () => {
    const [c] = await sample(cpu, { Interval_Sec: '0', Interval_NSec: '50000000' })
    assert.ok(c && typeof c.body.cpu_p === 'number' && 'cpu0.p_cpu' in c.body)
    const [m] = await sample(mem, { Interval_Sec: '0', Interval_NSec: '50000000' })
    assert.ok((m!.body['Mem.total'] as number) > 0)
    const [d] = await sample(disk, { Interval_Sec: '0', Interval_NSec: '50000000' })
    assert.deepEqual(Object.keys(d!.body), ['read_size', 'write_size'])
  })
  test('netif sees traffic on lo', async () => {
    const server = createServer((_q, s) => s.end('x'.repeat(100_000)))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    const events = await sample(netif, { Interface: 'lo', Interval_Sec: '0', Interval_NSec: '100000000' }, async () => {
      for (let i = 0; i < 5; i++) await (await fetch(`http://127.0.0.1:${port}/`)).text()
    })
    server.close()
    assert.ok(events.some((e) => (e.body['lo.rx.bytes'] as number) >= 100_000))
  })
  test('bad settings are clear errors', async () => {
    await assert.rejects(
      async () =>
        netif.init(
          resolveOptions(
            netif.options,
            [
              { key: 'Interface', value: 'nope0' },
              { key: 'Test_At_Init', value: 'on' },
            ],
            { instance: 'i' },
          ).values,
          testInputContext('netif'),
        ),
      /network interface 'nope0' does not exist/,
    )
    await assert.rejects(
      async () =>
        cpu.init(
          resolveOptions(cpu.options, [{ key: 'Interval_Sec', value: '0' }], { instance: 'i' }).values,
          testInputContext('cpu'),
        ),
      /add up to zero/,
    )
  })
})
