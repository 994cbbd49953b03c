// A local throughput check of the tail input (not a test): generates a CRI log file (100 MB by
// default) and reads it from head to end, raw and with the stock `cri` parser, records dropped.
// Prints MB/s and CPU seconds per GB. Run:
//   node packages/agent/src/inputs/tail/throughput-check.ts [MB]

import { open, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { stockParsers } from '../../parsers/index.ts'
import { fakeContext, startTail, tempDir } from './test-kit.ts'

const mb = Number(process.argv[2] ?? 100)

async function generate(file: string, bytes: number): Promise<number> {
  const fh = await open(file, 'w')
  const parts: string[] = []
  let size = 0
  let i = 0
  const base = Date.parse('2026-11-22T07:30:00Z')
  while (size < bytes) {
    const ts = new Date(base + i).toISOString().replace('Z', '123456Z')
    const stream = i % 7 === 0 ? 'stderr' : 'stdout'
    const msg = JSON.stringify({
      level: i % 13 === 0 ? 'error' : 'info',
      msg: `request ${i} handled`,
      path: `/api/v1/items/${i % 1000}`,
      status: 200,
      duration_ms: i % 97,
      trace_id: (i * 2654435761).toString(16).padStart(16, '0'),
    })
    const line = `${ts} ${stream} F ${msg}\n`
    parts.push(line)
    size += line.length
    i++
    if (parts.length === 10000) {
      await fh.write(parts.join(''))
      parts.length = 0
    }
  }
  await fh.write(parts.join(''))
  await fh.close()
  return i
}

async function measure(label: string, file: string, lines: number, entries: Record<string, string>) {
  const fake = fakeContext({ parsers: [...stockParsers().values()] })
  let records = 0
  let finished: () => void = () => {}
  const done = new Promise<void>((r) => {
    finished = r
  })
  // Count and drop: the output side is not what is measured here.
  fake.ctx.emit = (_tag, events, ack) => {
    records += events.length
    ack?.({ delivered: events.length, rejected: 0 })
    if (records >= lines) finished()
  }
  const size = (await stat(file)).size
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const t = await startTail({ path: file, read_from_head: 'on', refresh_interval: '1', ...entries }, fake)
  await done
  const secs = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  await t.stop()
  const cpuSecs = (cpu.user + cpu.system) / 1e6
  const gb = size / 1e9
  console.log(
    `${label.padEnd(22)} ${(size / 1e6 / secs).toFixed(0).padStart(5)} MB/s  ${(cpuSecs / gb).toFixed(2).padStart(6)} CPU-s/GB  ${records} records`,
  )
}

const { dir, cleanup } = await tempDir()
try {
  const file = join(dir, 'app_ns_c-0123.log')
  const lines = await generate(file, mb * 1e6)
  await measure('tail raw → null', file, lines, {})
  await measure('tail + cri → null', file, lines, { parser: 'cri' })
  await rm(file)
} finally {
  await cleanup()
}
