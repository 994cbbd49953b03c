// End to end: the central server crashes (SIGKILL) while a `sluice agent` is shipping to it, and
// comes back on the same port and data directory. The agent must keep every record (Retry_Limit no_limits,
// retried with the scheduler's backoff), and Generate_ID makes a resent batch that the server had
// already stored add nothing: every line is searchable exactly once once the server is back.

import assert from 'node:assert/strict'
import { appendFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { exited, type Server, sluice, startServer, tempDir, until } from './helpers.ts'

const TOTAL = 6000

test('sluice server killed mid-stream (SIGKILL) and restarted: every tailed line is searchable exactly once', async () => {
  const dir = await tempDir('outage')
  const data = join(dir.path, 'server')
  let server: Server = await startServer(data)
  const esPort = server.esPort
  try {
    const src = join(dir.path, 'app.log')
    await writeFile(src, '')
    const conf = join(dir.path, 'agent.conf')
    await writeFile(
      conf,
      `[SERVICE]
    Flush           0.3
    Grace           2
    Log_Level       warn
    scheduler.base  1
    scheduler.cap   2

[INPUT]
    Name             tail
    Path             ${src}
    Tag              app
    Read_From_Head   On
    Refresh_Interval 0.2
    DB               ${join(dir.path, 'tail.db')}

[OUTPUT]
    Name         es
    Match        app
    Host         127.0.0.1
    Port         ${esPort}
    Index        outage
    Generate_ID  On
    Retry_Limit  no_limits
`,
    )
    let written = 0
    const write = async (n: number) => {
      let text = ''
      for (let i = 0; i < n && written < TOTAL; i++) text += `line ${written++} ${'x'.repeat(60)}\n`
      await appendFile(src, text)
    }
    const from = new Date(Date.now() - 3_600_000).toISOString()
    const to = new Date(Date.now() + 3_600_000).toISOString()
    const agent = sluice(['agent', '-c', conf])
    try {
      await write(2000)
      await until('part of the stream to be searchable', async () => {
        await write(50)
        return (await server.search({ from, to, size: 0 })).total >= 1000
      })
      // the server crashes (SIGKILL: no graceful shutdown) while lines keep coming; what it
      // acknowledged must survive in its write-ahead log, the rest is resent by the agent
      server.child.kill('SIGKILL')
      assert.equal(await exited(server.child), 'SIGKILL')
      await write(2000)
      await new Promise((r) => setTimeout(r, 1500))
      server = await startServer(data, esPort)
      while (written < TOTAL) await write(500)

      const n = await server.awaitCount('', from, to, TOTAL, 45_000)
      assert.equal(n, TOTAL, `searchable after the outage\nagent:\n${agent.output().slice(-3000)}`)
      const hits = await server.searchAll('', from, to, ['log'])
      const seen = new Map<number, number>()
      for (const h of hits) {
        const m = /^line (\d+) /.exec(String(h.log))
        assert.ok(m, JSON.stringify(h))
        seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1)
      }
      const missing = []
      for (let i = 0; i < TOTAL; i++) if (!seen.has(i)) missing.push(i)
      assert.deepEqual(missing.slice(0, 20), [], `${missing.length} lines missing`)
      assert.deepEqual([...seen].filter(([, c]) => c > 1).slice(0, 20), [], 'no line stored twice')
      // the outage was real: the agent saw the refused connection and retried
      assert.match(
        agent.output(),
        /cannot flush \d+ records \(tag app\): connection error: ECONNREFUSED.*; retry 1 in /,
      )
    } finally {
      assert.equal(await agent.stop(), 0, agent.output().slice(-3000))
    }
  } finally {
    await server.stop()
    await dir.remove()
  }
})
