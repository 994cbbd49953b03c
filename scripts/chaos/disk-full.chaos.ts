// The agent's state directory (its tail DB) on a 1 MiB tmpfs that fills up: the agent must say so
// clearly, keep delivering (an offset not committed only means a re-read after a crash), and recover
// when space comes back. Needs root for mount(8); every other chaos file runs without it.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  alive,
  countMarks,
  kill9,
  printTable,
  scratch,
  settle,
  sleep,
  startAgent,
  startServer,
  until,
  Writer,
  writeAgentConf,
} from './harness.ts'

/** Writes zeros into `file` until the filesystem says ENOSPC. */
async function fill(file: string): Promise<number> {
  const fh = await open(file, 'w')
  const block = Buffer.alloc(4096)
  let n = 0
  try {
    for (;;) {
      await fh.write(block)
      n += block.length
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e
  } finally {
    await fh.close().catch(() => {})
  }
  return n
}

test('disk full for the agent state directory: clear error, delivery goes on, recovery', async () => {
  const s = await scratch('disk-full')
  let mounted = false
  try {
    await mkdir(s.state, { recursive: true })
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', s.state])
    mounted = true
    const server = s.track(await startServer(s.data))
    const conf = await writeAgentConf({ root: s.root, state: s.state, esPort: server.esPort })
    const writer = new Writer({ root: s.root, seed: 9 }, 1000).start()
    let agent = s.track(startAgent(conf))
    // fill only once the agent runs and delivers (a full disk at start is a clear startup error:
    // "cannot open tail database …: database or disk is full")
    await until(
      'the agent to deliver',
      async () => (await countMarks(server.uiPort, writer.written)).stored > 0,
      s.logs,
    )
    const filler = join(s.state, 'filler')
    await fill(filler)
    await sleep(8000)
    assert.ok(alive(agent.child), `the agent survives a full state directory:\n${agent.log()}`)
    const log = agent.log()
    // the tail DB cannot record offsets: the log says so (ENOSPC / "full"), not silently
    await until(
      'a clear disk-full error in the agent log',
      () => /SQLITE_FULL|ENOSPC|disk is full|No space/i.test(agent.log()),
      s.logs,
      10_000,
    )
    await rm(filler)
    await sleep(4000)
    // crash after recovery: offsets recorded since then are honoured, the rest is re-read idempotently
    await kill9(agent)
    agent = s.track(startAgent(conf))
    await sleep(3000)
    writer.stop()
    const c = await settle(server.uiPort, writer.written, s.logs)
    const errLine = /.*(?:SQLITE_FULL|ENOSPC|disk is full|No space).*/i.exec(agent.log() + log)?.[0] ?? ''
    printTable([
      {
        scenario: 'state dir full (1 MiB tmpfs) 8 s',
        ...c,
        note: `then freed, agent SIGKILLed and restarted; Generate_ID On`,
      },
    ])
    console.log(`agent's error: ${errLine.slice(0, 200)}`)
    assert.equal(c.lost, 0, `lines lost (first missing: ${c.missing.join(' ')})`)
    assert.equal(c.duplicates, 0, `duplicates (marker:_id ${c.dupSamples.join(' ')})`)
  } finally {
    await s.cleanup().catch(() => {})
    if (mounted) execFileSync('umount', ['-l', s.state])
    await rm(s.dir, { recursive: true, force: true })
  }
})
