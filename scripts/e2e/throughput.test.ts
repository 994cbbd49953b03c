// Agent → server throughput smoke: 100k generated CRI lines (packages/cli/src/gen, the demo cluster)
// through a real `sluice agent` (tail + the cri multiline parser + es output) into a real
// `sluice server`; every logical line must be searchable (counted via /api/search). Prints the
// records/s seen end to end; no timing assertion (shared CI machines vary).

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { generateBatch } from '../../packages/cli/src/gen/batch.ts'
import { sluice, startServer, tempDir } from './helpers.ts'

const LINES = 100_000

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat (Linux, 100 ticks/s). */
function cpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

test(`throughput smoke: ${LINES} CRI lines → tail + cri + es → sluice server, all searchable`, async (t) => {
  const dir = await tempDir('throughput')
  const server = await startServer(join(dir.path, 'server'))
  try {
    const spanMs = 30 * 60_000
    const startMs = Date.now() - spanMs
    const g = generateBatch({ root: join(dir.path, 'node'), lines: LINES, seed: 7, startMs, spanMs })
    // the cri multiline parser joins P chunks with their F line: one record per logical line
    const want = g.stats.lines - g.stats.partial
    assert.ok(g.stats.lines >= LINES)
    const conf = join(dir.path, 'agent.conf')
    await writeFile(
      conf,
      `[SERVICE]
    Flush     0.5
    Grace     2
    Log_Level warn

[INPUT]
    Name             tail
    Tag              kube.*
    Path             ${g.containersDir}/*.log
    multiline.parser cri
    Read_From_Head   On
    Refresh_Interval 1
    DB               ${join(dir.path, 'tail.db')}

[OUTPUT]
    Name             es
    Match            kube.*
    Host             127.0.0.1
    Port             ${server.esPort}
    Logstash_Format  On
    Logstash_Prefix  logs
    Suppress_Type_Name On
    Retry_Limit      no_limits
`,
    )
    const from = new Date(startMs - 3_600_000).toISOString()
    const to = new Date(Date.now() + 3_600_000).toISOString()
    const t0 = performance.now()
    const serverCpu0 = cpuSeconds(server.child.pid)
    const agent = sluice(['agent', '-c', conf])
    try {
      const n = await server.awaitCount('', from, to, want, 50_000)
      const sec = (performance.now() - t0) / 1000
      const agentCpu = cpuSeconds(agent.child.pid)
      const serverCpu = cpuSeconds(server.child.pid) - serverCpu0
      assert.equal(
        n,
        want,
        `searchable records (of ${g.stats.lines} CRI lines)\nagent:\n${agent.output().slice(-3000)}`,
      )
      const msg = `${want} records (${g.stats.lines} CRI lines, ${(g.stats.bytes / 1e6).toFixed(1)} MB, ${g.files.length} files) searchable in ${sec.toFixed(1)} s from agent start: ${Math.round(want / sec)} records/s, ${(g.stats.bytes / 1e6 / sec).toFixed(1)} MB/s; CPU: agent ${agentCpu.toFixed(1)} s (incl. startup), server ${serverCpu.toFixed(1)} s (polling included)`
      t.diagnostic(msg)
      console.log(`throughput: ${msg}`)
      // nothing more arrives later (no duplicates from retries)
      await new Promise((r) => setTimeout(r, 1000))
      assert.equal((await server.search({ query: '', from, to, size: 0, track_total_hits: true })).total, want)
    } finally {
      assert.equal(await agent.stop(), 0, agent.output().slice(-3000))
    }
  } finally {
    await server.stop()
    await dir.remove()
  }
})
