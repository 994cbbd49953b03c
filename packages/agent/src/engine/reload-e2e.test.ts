// Hot reload as a user drives it: `sluice agent` with Hot_Reload On, the config file edited, SIGHUP.
// The tail input is unchanged, so it keeps its position: lines read before the reload are not read
// again (no duplicates in the first output), and lines written after it reach the added output.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const repo = resolve(fileURLToPath(import.meta.url), '../../../../..')
const bin = join(repo, 'packages/cli/bin/sluice.js')

async function until(what: string, cond: () => Promise<boolean>, log: () => string, ms = 30_000) {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; agent log:\n${log()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

test('SIGHUP hot reload keeps the tail position and adds the new output', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-reload-'))
  let child: ChildProcess | undefined
  try {
    const src = join(dir, 'app.log')
    await writeFile(src, '')
    const conf = join(dir, 'agent.conf')
    const config = (extra: string) => `[SERVICE]
    Flush      0.05
    Grace      1
    Hot_Reload On
    Log_Level  info

[INPUT]
    Name             tail
    Path             ${src}
    Tag              app
    Read_From_Head   On
    Refresh_Interval 0.05

[OUTPUT]
    Name   file
    Match  app
    Path   ${dir}
    File   a.log
${extra}`
    await writeFile(conf, config(''))
    let log = ''
    child = spawn(process.execPath, [bin, 'agent', '-c', conf], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d) => (log += d))
    child.stderr!.on('data', (d) => (log += d))
    const lines = async (f: string) =>
      [...(await readFile(join(dir, f), 'utf8').catch(() => '')).matchAll(/line (\d+)/g)].map((m) => Number(m[1]))

    await appendFile(src, Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''))
    await until(
      '100 lines in a.log',
      async () => (await lines('a.log')).length === 100,
      () => log,
    )

    await writeFile(conf, config(`\n[OUTPUT]\n    Name   file\n    Match  app\n    Path   ${dir}\n    File   b.log\n`))
    child.kill('SIGHUP')
    await until(
      'the reload',
      async () => /reloaded .*kept 2, started 1, stopped 0/.test(log),
      () => log,
    )

    await appendFile(src, Array.from({ length: 50 }, (_, i) => `line ${100 + i}\n`).join(''))
    await until(
      '150 lines in a.log',
      async () => (await lines('a.log')).length >= 150,
      () => log,
    )
    await until(
      '50 lines in b.log',
      async () => (await lines('b.log')).length >= 50,
      () => log,
    )
    const a = await lines('a.log')
    assert.deepEqual(
      a,
      Array.from({ length: 150 }, (_, i) => i),
      'each line once: the tail was not restarted',
    )
    assert.deepEqual(
      await lines('b.log'),
      Array.from({ length: 50 }, (_, i) => 100 + i),
    )

    const exit = new Promise((r) => child!.once('exit', (code) => r(code)))
    child.kill('SIGTERM')
    assert.equal(await exit, 0, log)
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
})
