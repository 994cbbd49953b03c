// End to end: the `es` and `forward` outputs ship into a real `sluice server` process (its
// Elasticsearch-compatible `_bulk` and its forward receiver), and every record is counted through the
// server's query API. Spawned as a command so the agent does not depend on the server's code.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { sampleEvents, startOutput } from '../../testing/plugin-harness.ts'
import { forwardOutputs } from '../forward/index.ts'
import { esOutputs } from './index.ts'

const cli = join(import.meta.dirname, '../../../../cli/bin/sluice.js')
let dir: string
let server: ChildProcess
const ports: Record<string, number> = {}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-e2e-es-'))
  server = spawn(
    process.execPath,
    [cli, 'server', '--data', dir, '--es-port', '0', '--ui-port', '0', '--forward-port', '0', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  server.stderr!.on('data', (c) => (err += c))
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`sluice server did not get ready: ${out}${err}`)), 60_000)
    server.stdout!.on('data', (c) => {
      out += c
      for (const m of out.matchAll(/^(\w+)_port=(\d+)$/gm)) ports[m[1]!] = Number(m[2])
      if (/^ready$/m.test(out)) {
        clearTimeout(t)
        resolve()
      }
    })
    server.once('exit', (code) => reject(new Error(`sluice server exited (${code}): ${err}`)))
  })
})

after(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r))
    server.kill('SIGTERM')
    await exited
  }
  await rm(dir, { recursive: true, force: true })
})

async function count(query: string, from: string, to: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${ports.ui}/api/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, from, to, size: 0, track_total_hits: true }),
  })
  assert.equal(res.status, 200, await res.clone().text())
  return ((await res.json()) as { total: number }).total
}

/** Polls until the count reaches `want` (the store makes writes visible shortly after they land). */
async function eventually(query: string, from: string, to: string, want: number): Promise<number> {
  let n = -1
  for (let i = 0; i < 300; i++) {
    n = await count(query, from, to)
    if (n >= want) return n
    await new Promise((r) => setTimeout(r, 100))
  }
  return n
}

test('es output → sluice server _bulk: every record is searchable, and a resend with Generate_ID adds none', async () => {
  const start = Math.floor(Date.now() / 1000) - 600
  const events = sampleEvents(250, start, (i) => ({
    stream: 'stdout',
    run: 'es-e2e',
    kubernetes: { namespace_name: i % 2 ? 'shop' : 'web' },
  }))
  const h = await startOutput(esOutputs[0]!, {
    host: '127.0.0.1',
    port: String(ports.es),
    suppress_type_name: 'on',
    logstash_format: 'on',
    logstash_prefix: 'k8s',
    generate_id: 'on',
  })
  assert.equal((await h.flush(events.slice(0, 100), 'kube.app')).kind, 'ok')
  assert.equal((await h.flush(events.slice(100), 'kube.app')).kind, 'ok')
  const from = new Date((start - 1) * 1000).toISOString()
  const to = new Date((start + 300) * 1000).toISOString()
  assert.equal(await eventually('run:"es-e2e"', from, to, 250), 250)
  // the same records again (a retry after a lost response), plus one new record that shows when the
  // request has landed: create + 409 → only the new one is stored
  const marker = { sec: start + 260, nsec: 0, body: { run: 'es-e2e', log: 'marker' } }
  const again = await h.flush([...events.slice(0, 50), marker], 'kube.app')
  assert.equal(again.kind, 'ok')
  assert.equal(await eventually('run:"es-e2e"', from, to, 251), 251)
  assert.equal(await count('run:"es-e2e"', from, to), 251)
  await h.stop()
})

test('forward output → sluice server forward receiver: every record is searchable', async () => {
  const start = Math.floor(Date.now() / 1000) - 1200
  const events = sampleEvents(120, start, () => ({ run: 'fwd-e2e' }))
  const h = await startOutput(forwardOutputs[0]!, {
    host: '127.0.0.1',
    port: String(ports.forward),
    require_ack_response: 'on',
  })
  assert.equal((await h.flush(events, 'kube.fwd')).kind, 'ok')
  const from = new Date((start - 1) * 1000).toISOString()
  const to = new Date((start + 200) * 1000).toISOString()
  assert.equal(await eventually('run:"fwd-e2e"', from, to, 120), 120)
  await h.stop()
})
