// The agent killed with SIGKILL again and again: while it reads a workload under load, and while it
// retries against a server that is down (memory buffering: whatever it held is gone). The tail DB
// commits an offset only after the server acknowledged the records, so a restarted agent reads the
// unacknowledged lines again; Generate_ID makes those re-sends idempotent (409 on create).

import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { test } from 'node:test'
import {
  kill9,
  printTable,
  type Row,
  scratch,
  settle,
  sleep,
  startAgent,
  startServer,
  until,
  Writer,
  writeAgentConf,
} from './harness.ts'

test('agent SIGKILLed repeatedly while reading and while retrying: no line lost, no duplicate', async () => {
  const s = await scratch('agent-crash')
  const rows: Row[] = []
  try {
    await mkdir(s.state, { recursive: true })
    let server = s.track(await startServer(s.data))
    const esPort = server.esPort
    const conf = await writeAgentConf({ root: s.root, state: s.state, esPort })
    const writer = new Writer({ root: s.root, seed: 7, rotateBytes: 0 }, 1500).start()
    let agent = s.track(startAgent(conf))
    let kills = 0
    // while reading: killed 2-4 s into each run, under load
    for (let i = 0; i < 5; i++) {
      await sleep(2000 + (i % 3) * 1000)
      await kill9(agent)
      kills++
      agent = s.track(startAgent(conf))
    }
    // while retrying: the server is gone, the agent holds records it cannot deliver, and dies
    for (let i = 0; i < 2; i++) {
      await kill9(server)
      await sleep(4000)
      await kill9(agent)
      kills++
      server = s.track(await startServer(s.data, esPort))
      agent = s.track(startAgent(conf))
      await sleep(3000)
    }
    writer.stop()
    const written = writer.written
    await until('the agent to be running', () => agent.child.exitCode === null, s.logs)
    const c = await settle(server.uiPort, written, s.logs)
    rows.push({
      scenario: 'agent SIGKILL x7 (5 reading, 2 retrying)',
      ...c,
      note: `Generate_ID On; ${writer.w.stats.rotations} rotations`,
    })
    printTable(rows)
    assert.equal(c.lost, 0, 'lines lost')
    assert.equal(c.duplicates, 0, 'duplicates with Generate_ID')
    assert.ok(kills === 7)
  } finally {
    await s.cleanup()
  }
})
