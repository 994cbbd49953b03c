// The server side failing under a steady workload: `sluice server` killed with SIGKILL and restarted
// on the same data directory, and the server unreachable for 45 s (stopped, then started again).
// The agent keeps its records in memory (Mem_Buf_Limit pauses tail when full), retries with
// Retry_Limit no_limits, and its peak memory (VmHWM) stays bounded while the backlog on disk grows.

import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, test } from 'node:test'
import {
  alive,
  kill9,
  printTable,
  type Row,
  scratch,
  settle,
  sleep,
  startAgent,
  startServer,
  vmHwm,
  Writer,
  writeAgentConf,
} from './harness.ts'

const rows: Row[] = []
after(() => printTable(rows))

test('server SIGKILLed and restarted under load (3 times): no line lost, no duplicate', async () => {
  const s = await scratch('server-crash')
  try {
    await mkdir(s.state, { recursive: true })
    let server = s.track(await startServer(s.data))
    const esPort = server.esPort
    const conf = await writeAgentConf({ root: s.root, state: s.state, esPort })
    const writer = new Writer({ root: s.root, seed: 3 }, 1500).start()
    const agent = s.track(startAgent(conf))
    for (let i = 0; i < 3; i++) {
      await sleep(4000)
      await kill9(server)
      await sleep(2000 + i * 1000)
      server = s.track(await startServer(s.data, esPort))
    }
    await sleep(2000)
    writer.stop()
    const c = await settle(server.uiPort, writer.written, s.logs)
    rows.push({ scenario: 'server SIGKILL + restart x3', ...c, note: 'Generate_ID On' })
    assert.ok(alive(agent.child), 'the agent is still running')
    assert.equal(c.lost, 0, `lines lost (first missing: ${c.missing.join(' ')})`)
    assert.equal(c.duplicates, 0, `duplicates (marker:_id ${c.dupSamples.join(' ')})`)
  } finally {
    await s.cleanup()
  }
})

test('server unreachable for 45 s: the agent buffers within bounded memory, delivery resumes', async () => {
  const s = await scratch('server-outage')
  try {
    await mkdir(s.state, { recursive: true })
    let server = s.track(await startServer(s.data))
    const esPort = server.esPort
    const conf = await writeAgentConf({ root: s.root, state: s.state, esPort, memBufLimit: '4MB' })
    const writer = new Writer({ root: s.root, seed: 5 }, 2000).start()
    const agent = s.track(startAgent(conf))
    await sleep(5000)
    const hwmBefore = await vmHwm(agent.child.pid!)
    await kill9(server)
    const bytesBefore = writer.w.stats.bytes
    await sleep(45_000)
    const backlog = writer.w.stats.bytes - bytesBefore
    const hwmDuring = await vmHwm(agent.child.pid!)
    server = s.track(await startServer(s.data, esPort))
    await sleep(3000)
    writer.stop()
    const c = await settle(server.uiPort, writer.written, s.logs)
    const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`
    rows.push({
      scenario: 'server unreachable 45 s',
      ...c,
      note: `backlog ${mb(backlog)} written meanwhile; agent VmHWM ${mb(hwmBefore)} before, ${mb(hwmDuring)} after`,
    })
    assert.ok(alive(agent.child), 'the agent is still running')
    assert.equal(c.lost, 0, `lines lost (first missing: ${c.missing.join(' ')})`)
    assert.equal(c.duplicates, 0, `duplicates (marker:_id ${c.dupSamples.join(' ')})`)
    // bounded: the outage's backlog stays on disk (tail pauses at Mem_Buf_Limit). Measured here:
    // ~150 MB before, ~280 MB peak for a ~19 MB backlog (the growth is more than Mem_Buf_Limit 4MB:
    // reported to the engine owner); the bound asserts it does not grow without limit
    assert.ok(backlog > 10 << 20, `the outage built a real backlog (${mb(backlog)})`)
    assert.ok(hwmDuring < 450 << 20, `agent VmHWM ${mb(hwmDuring)} during the outage`)
  } finally {
    await s.cleanup()
  }
})
