// The bundled agent (scripts/build-agent.ts) runs the agent, and bin/sluice.js uses a bundle only
// while every source it was built from is unchanged (bin/agent-bundle.js).

import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
// @ts-expect-error: plain JavaScript module of the bin directory, without type declarations
import { freshAgentBundle } from '../bin/agent-bundle.js'

const repo = join(import.meta.dirname, '..', '..', '..')

test('a built bundle runs `sluice agent`: a dummy record reaches stdout', async () => {
  // Inside the repository, so that the bundle's external packages resolve from node_modules.
  const out = join(repo, '.tmp', `agent-bundle-${process.pid}`)
  rmSync(out, { recursive: true, force: true })
  mkdirSync(join(repo, '.tmp'), { recursive: true })
  try {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build-agent.ts'), out], { encoding: 'utf8' })
    assert.equal(build.status, 0, build.stderr)
    const entry = freshAgentBundle(out) as string | undefined
    assert.equal(entry, join(out, 'agent-main.js'))
    const conf = join(out, 'agent.conf')
    writeFileSync(
      conf,
      '[INPUT]\n    Name dummy\n    Rate 10\n[OUTPUT]\n    Name stdout\n    Match *\n    Format json_lines\n',
    )
    // argv as bin/sluice.js leaves it: [node, script, 'agent', ...options]
    const child = spawn(process.execPath, [entry!, 'agent', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await new Promise<void>((resolve, reject) => {
        let text = ''
        let err = ''
        child.stderr.on('data', (d) => {
          err += d
        })
        child.stdout.on('data', (d) => {
          text += d
          if (text.includes('"message":"dummy"')) resolve()
        })
        child.once('exit', (c) => reject(new Error(`bundled agent exited (${c}): ${err}`)))
      })
    } finally {
      child.kill('SIGKILL')
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

test('a bundle is used only while each of its sources has the recorded size and mtime', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bundle-'))
  try {
    const source = join(dir, 'source.ts')
    writeFileSync(source, 'export const a = 1\n')
    utimesSync(source, 1_800_000_000, 1_800_000_000)
    const manifest = (inputs: object[]) =>
      writeFileSync(join(dir, 'agent-inputs.json'), JSON.stringify({ entry: 'agent-main.js', inputs }))
    manifest([{ path: 'source.ts', size: 19, mtimeMs: 1_800_000_000_000 }])
    assert.equal(freshAgentBundle(dir), join(dir, 'agent-main.js'))

    writeFileSync(source, 'export const a = 2\n') // same size, new mtime: an edit
    assert.equal(freshAgentBundle(dir), undefined, 'an edited source makes the bundle stale')
    utimesSync(source, 1_800_000_000, 1_800_000_000)
    assert.equal(freshAgentBundle(dir), join(dir, 'agent-main.js'))
    writeFileSync(source, 'export const a = 10\n')
    utimesSync(source, 1_800_000_000, 1_800_000_000)
    assert.equal(freshAgentBundle(dir), undefined, 'another size with the old mtime is stale too')

    manifest([{ path: 'gone.ts', size: 1, mtimeMs: 1 }])
    assert.equal(freshAgentBundle(dir), undefined, 'a deleted source')
    manifest([])
    assert.equal(freshAgentBundle(dir), undefined, 'an empty manifest')
    writeFileSync(join(dir, 'agent-inputs.json'), '{not json')
    assert.equal(freshAgentBundle(dir), undefined, 'a damaged manifest')
    assert.equal(freshAgentBundle(join(dir, 'missing')), undefined, 'no bundle built')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
