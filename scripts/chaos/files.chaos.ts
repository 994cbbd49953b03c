// Files changing under the agent while it reads them under load: rotation by rename (kubelet) and by
// copytruncate (logrotate), files deleted while being read, and pods whose files appear and vanish
// within seconds. The agent runs throughout; every written line must be stored, once.

import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, test } from 'node:test'
import type { Pod } from '../../packages/cli/src/gen/cluster.ts'
import type { Workload, WorkloadOptions } from '../../packages/cli/src/gen/workload.ts'
import {
  printTable,
  type Row,
  scratch,
  settle,
  sleep,
  startAgent,
  startServer,
  Writer,
  writeAgentConf,
} from './harness.ts'

const rows: Row[] = []
after(() => printTable(rows))

interface Case {
  readonly name: string
  readonly workload: Omit<WorkloadOptions, 'root' | 'markLines'>
  readonly rate: number
  readonly seconds: number
  readonly onTick?: (w: Workload) => void
  readonly pathGlob?: string
  readonly tag?: string
  readonly ids?: 'generate_id' | 'id_key'
  /** Duplicates tolerated, as a fraction of lines written (0 unless a known issue says otherwise). */
  readonly dupBound?: number
  readonly note: (w: Workload) => string
}

async function run(c: Case): Promise<void> {
  const s = await scratch(c.name.replace(/\W+/g, '-').slice(0, 20))
  try {
    await mkdir(s.state, { recursive: true })
    const server = s.track(await startServer(s.data))
    const conf = await writeAgentConf({
      root: s.root,
      state: s.state,
      esPort: server.esPort,
      path: c.pathGlob,
      tag: c.tag,
      ids: c.ids,
    })
    const writer = new Writer({ root: s.root, seed: 11, ...c.workload }, c.rate)
    const agent = s.track(startAgent(conf))
    writer.start(c.onTick)
    await sleep(c.seconds * 1000)
    writer.stop()
    const count = await settle(server.uiPort, writer.written, s.logs)
    rows.push({ scenario: c.name, ...count, note: c.note(writer.w) })
    assert.equal(agent.child.exitCode, null, 'the agent is still running')
    assert.equal(count.lost, 0, `lines lost (first missing: ${count.missing.join(' ')})`)
    assert.ok(
      count.duplicates <= (c.dupBound ?? 0) * count.written,
      `${count.duplicates} duplicates with ${c.ids ?? 'generate_id'} (marker:_id ${count.dupSamples.join(' ')})`,
    )
  } finally {
    await s.cleanup()
  }
}

test('rotation by rename during load', () =>
  run({
    name: 'rotation by rename (kubelet)',
    workload: { rotateBytes: 128 << 10, keepRotated: 2 },
    rate: 2000,
    seconds: 20,
    note: (w) => `${w.stats.rotations} rotations`,
  }))

test('rotation by copytruncate during load', () =>
  run({
    name: 'rotation by copytruncate',
    workload: { rotateBytes: 128 << 10, keepRotated: 2, rotateMode: 'copytruncate' },
    rate: 2000,
    seconds: 20,
    // lines written after the agent's last read of 0.log and before the truncation exist only in the
    // copy: the agent tails the copies too, so it reads most lines twice. Id_Key (the line's own
    // unique id) makes the second copy a 409. Generate_ID cannot: when both copies of a line land in
    // one batch it keeps them apart as two distinct records (format.ts GeneratedIds).
    pathGlob: 'var/log/pods/*/*/0.log*',
    ids: 'id_key',
    // `create` of an existing _id answers 409 even while the first copy is still loading (server fix
    // cbbe9e3; this scenario found the race): no duplicates allowed.
    dupBound: 0,
    note: (w) => `${w.stats.rotations} copytruncates; copies tailed too; Id_Key`,
  }))

test('files deleted while being read, pods that appear and vanish quickly', () => {
  const doomed: { pod: Pod; at: number }[] = []
  let next = Date.now() + 500
  return run({
    name: 'deleted files, short-lived pods',
    workload: {},
    rate: 2000,
    seconds: 20,
    onTick(w) {
      const now = Date.now()
      if (now >= next) {
        // a new pod every 0.5 s; the one it replaces stops and its files are deleted 1-2 s later
        const old = w.churn()
        if (old) doomed.push({ pod: old, at: now + 1000 + (now % 1000) })
        next = now + 500
      }
      while (doomed.length > 0 && doomed[0]!.at <= now) w.deletePod(doomed.shift()!.pod)
    },
    note: (w) => `${w.stats.podsCreated} pods created, ${w.stats.podsDeleted} deleted`,
  })
})
