// End to end through the real agent: config file → tail (+ stock cri parser) → file output, with
// the tail DB committing only what the file output delivered.
import assert from 'node:assert/strict'
import { appendFile, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { test } from 'node:test'
import { loadConfig } from '@sluice/core/config/load.ts'
import { createAgent } from '../../agent.ts'
import { tempDir, waitFor } from './test-kit.ts'

const cri = (i: number, stream = 'stdout') =>
  `2026-11-22T07:30:${String(i % 60).padStart(2, '0')}.000000001Z ${stream} F {"msg":"line ${i}"}\n`

test('agent: tail + cri parser → file output; the DB offset reaches the end once delivered', async () => {
  const { dir, cleanup } = await tempDir()
  const agents: { stop(): Promise<unknown> }[] = []
  try {
    const pods = join(dir, 'pods', 'prod_web-1_uid', 'nginx')
    await mkdir(pods, { recursive: true })
    await mkdir(join(dir, 'containers'))
    await mkdir(join(dir, 'out'))
    const real = join(pods, '0.log')
    await writeFile(real, Array.from({ length: 50 }, (_, i) => cri(i)).join(''))
    await symlink(real, join(dir, 'containers', 'web-1_prod_nginx-abc.log'))
    const conf = join(dir, 'fluent-bit.conf')
    await writeFile(
      conf,
      `[SERVICE]
    Flush        0.05
    Log_Level    error

[INPUT]
    Name             tail
    Tag              kube.*
    Path             ${join(dir, 'containers')}/*.log
    Parser           cri
    DB               ${join(dir, 'flb_kube.db')}
    Mem_Buf_Limit    5MB
    Skip_Long_Lines  On
    Refresh_Interval 0.05
    Read_From_Head   On

[OUTPUT]
    Name   file
    Match  kube.*
    Path   ${join(dir, 'out')}
    File   out.log
    Format plain
`,
    )
    const config = await loadConfig(conf)
    const agent = createAgent(config, { logWrite: () => {} })
    agents.push(agent)
    await agent.start()
    const out = join(dir, 'out', 'out.log')
    const count = async () => (await readFile(out, 'utf8').catch(() => '')).split('\n').filter(Boolean).length
    await waitFor('50 records in the output', async () => (await count()) === 50, 15000)
    await appendFile(real, cri(50, 'stderr'))
    await waitFor('51 records', async () => (await count()) === 51, 15000)
    const size = (await stat(real)).size
    await waitFor('offset committed to the end', () => {
      const db = new DatabaseSync(join(dir, 'flb_kube.db'))
      try {
        const row = db.prepare('SELECT offset FROM in_tail_files').get() as { offset: number } | undefined
        return row?.offset === size
      } finally {
        db.close()
      }
    })
    const lastLine = (await readFile(out, 'utf8')).trim().split('\n').at(-1)!
    assert.match(lastLine, /line 50/)
    assert.match(lastLine, /stderr/)
  } finally {
    for (const a of agents) await a.stop()
    await cleanup()
  }
})
