// End to end: a real `sluice agent` tails CRI logs (multiline.parser cri) and ships them with the
// `forward` output (Fluent Bit's Forward protocol, as Fluent Bit → Fluentd) to the forward receiver
// of a real `sluice server`; every line is searchable once, with its parsed fields and event time.

import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { sluice, startServer, tempDir } from './helpers.ts'

const LINES = 3000

test('tail + cri → forward output → sluice server forward receiver: every line searchable once', async () => {
  const dir = await tempDir('forward')
  const server = await startServer(join(dir.path, 'server'))
  try {
    const src = join(dir.path, 'app.log')
    const base = Date.UTC(2026, 10, 22, 7, 0, 0)
    let text = ''
    for (let i = 0; i < LINES; i++) {
      const t = new Date(base + i * 1000 + 123).toISOString().replace('Z', '456789Z')
      text += `${t} ${i % 7 ? 'stdout' : 'stderr'} F forward line ${i} ${'y'.repeat(i % 50)}\n`
    }
    await writeFile(src, text)
    const conf = join(dir.path, 'agent.conf')
    await writeFile(
      conf,
      `[SERVICE]
    Flush     0.3
    Grace     1
    Log_Level warn

[INPUT]
    Name             tail
    Path             ${src}
    Tag              app.fwd
    multiline.parser cri
    Read_From_Head   On

[OUTPUT]
    Name   forward
    Match  app.*
    Host   127.0.0.1
    Port   ${server.forwardPort}
`,
    )
    const from = new Date(base - 60_000).toISOString()
    const to = new Date(base + LINES * 1000 + 60_000).toISOString()
    const agent = sluice(['agent', '-c', conf])
    try {
      const n = await server.awaitCount('', from, to, LINES, 30_000)
      assert.equal(n, LINES, `searchable\nagent:\n${agent.output().slice(-3000)}`)
      const hits = await server.searchAll('', from, to)
      assert.equal(hits.length, LINES)
      const seen = new Set<number>()
      for (const h of hits) {
        const m = /^forward line (\d+) y*$/.exec(String(h.log))
        assert.ok(m, JSON.stringify(h))
        const i = Number(m[1])
        assert.ok(!seen.has(i), `line ${i} once`)
        seen.add(i)
        assert.equal(h.stream, i % 7 ? 'stdout' : 'stderr')
        // the cri parser's time is the event time (microseconds kept at least to the millisecond)
        assert.equal(Date.parse(h['@timestamp']), base + i * 1000 + 123, `line ${i} time ${h['@timestamp']}`)
      }
      assert.equal(seen.size, LINES)
    } finally {
      assert.equal(await agent.stop(), 0, agent.output().slice(-3000))
    }
  } finally {
    await server.stop()
    await dir.remove()
  }
})
