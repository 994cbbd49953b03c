// End to end, as a user runs it: a `sluice agent` child process tails a growing file into a file
// output, is killed with SIGKILL mid-stream (no clean shutdown, nothing flushed), and is started
// again on the same tail DB. Because tail commits an offset only once the output acknowledged the
// records, every line written reaches the output at least once.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const repo = resolve(fileURLToPath(import.meta.url), '../../../../..')
const bin = join(repo, 'packages/cli/bin/sluice.js')

function startAgent(conf: string): { child: ChildProcess; log: () => string } {
  let log = ''
  const child = spawn(process.execPath, [bin, 'agent', '-c', conf], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d) => (log += d))
  child.stderr!.on('data', (d) => (log += d))
  return { child, log: () => log }
}

const exited = (c: ChildProcess) =>
  new Promise<number | string>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode ?? c.signalCode!)
    else c.once('exit', (code, sig) => r(code ?? sig!))
  })

async function until(what: string, cond: () => Promise<boolean>, log: () => string, ms = 30_000) {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; agent log:\n${log()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

test('sluice agent killed with SIGKILL mid-stream and restarted delivers every line at least once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-crash-'))
  const children: ChildProcess[] = []
  try {
    const src = join(dir, 'app.log')
    const out = join(dir, 'out.log')
    await writeFile(src, '')
    const conf = join(dir, 'agent.conf')
    await writeFile(
      conf,
      `[SERVICE]
    Flush     0.5
    Grace     1
    Log_Level warn

[INPUT]
    Name             tail
    Path             ${src}
    Tag              app
    DB               ${join(dir, 'tail.db')}
    Read_From_Head   On
    Refresh_Interval 0.05

[OUTPUT]
    Name   file
    Match  app
    Path   ${dir}
    File   out.log
`,
    )
    const TOTAL = 4000
    let written = 0
    const write = async (n: number) => {
      let text = ''
      for (let i = 0; i < n && written < TOTAL; i++) text += `line ${written++} ${'x'.repeat(40)}\n`
      await appendFile(src, text)
    }
    const seen = async () => {
      const text = await readFile(out, 'utf8').catch(() => '')
      const got = new Set<number>()
      for (const m of text.matchAll(/line (\d+) /g)) got.add(Number(m[1]))
      return got
    }

    await write(500)
    const first = startAgent(conf)
    children.push(first.child)
    // keep writing while the first agent runs; kill it once it has delivered part of the stream, so
    // that it dies holding lines read but not yet flushed (Flush 0.5 s leaves a wide window)
    await until(
      'the first agent to deliver some lines',
      async () => {
        if (written < 2000) await write(50)
        return (await seen()).size >= 800
      },
      first.log,
    )
    // right after a flush: more lines that the agent reads but has not flushed yet when it dies
    await write(500)
    await new Promise((r) => setTimeout(r, 250))
    first.child.kill('SIGKILL')
    assert.equal(await exited(first.child), 'SIGKILL')
    const before = (await seen()).size
    assert.ok(before < TOTAL, 'killed mid-stream')

    // lines written while no agent runs
    await write(1000)
    const second = startAgent(conf)
    children.push(second.child)
    while (written < TOTAL) {
      await write(100)
      await new Promise((r) => setTimeout(r, 5))
    }
    await until('every line in the output', async () => (await seen()).size === TOTAL, second.log)
    const got = await seen()
    for (let i = 0; i < TOTAL; i++) assert.ok(got.has(i), `line ${i} delivered`)
    second.child.kill('SIGTERM')
    assert.equal(await exited(second.child), 0, second.log())
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
})
