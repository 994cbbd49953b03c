// `sluice agent` replaces itself once at start-up with a capped V8 young generation (bin/sluice.js):
// checked on the running agent's command line, and left alone when the operator chose a size.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

const cli = join(import.meta.dirname, '..', 'bin', 'sluice.js')

/** Starts an agent, waits for its first record on stdout, returns its pid's command line. */
async function agentCommandLine(env: NodeJS.ProcessEnv): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-semi-'))
  const conf = join(dir, 'agent.conf')
  await writeFile(
    conf,
    '[INPUT]\n    Name dummy\n    Rate 10\n[OUTPUT]\n    Name stdout\n    Match *\n    Format json_lines\n',
  )
  const child = spawn(process.execPath, [cli, 'agent', '-c', conf], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    await new Promise<void>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d) => {
        out += d
        if (out.includes('"message":"dummy"')) resolve()
      })
      child.once('exit', (c) => reject(new Error(`agent exited (${c}) before its first record`)))
    })
    return readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')
  } finally {
    child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
}

test('sluice agent runs with --max-semi-space-size=8, in the same process (pid) it was started as', async () => {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  const argv = await agentCommandLine(env)
  assert.ok(argv.includes('--max-semi-space-size=8'), argv.join(' '))
  assert.ok(argv.includes('agent'), argv.join(' '))
})

test('a semi-space size in NODE_OPTIONS is the operator choice: no re-exec with Sluice’s flag', async () => {
  const argv = await agentCommandLine({ ...process.env, NODE_OPTIONS: '--max-semi-space-size=16' })
  assert.ok(!argv.some((a) => a.includes('semi-space')), argv.join(' '))
})
