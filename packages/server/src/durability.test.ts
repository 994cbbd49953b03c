// The promise of the ingest path: an item acknowledged with 201 survives SIGKILL of the server.
// A real server process is killed in the middle of concurrent bulk ingest, restarted on the same
// directory, and every acknowledged record must be found exactly once.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { http, ndjson, postJson, tempDir } from './testing.ts'

const CLI = fileURLToPath(new URL('../../cli/bin/sluice.js', import.meta.url))

function startChild(dir: string): Promise<{ child: ChildProcess; es: string; ui: string }> {
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--data', dir, '--es-port', '0', '--ui-port', '0', '--forward-port', 'off', '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.on('data', (c) => (err += c))
    child.stdout!.on('data', (c) => {
      out += c
      if (!out.includes('ready\n')) return
      const es = /^es_port=(\d+)$/m.exec(out)![1]
      const ui = /^ui_port=(\d+)$/m.exec(out)![1]
      resolve({ child, es: `http://127.0.0.1:${es}`, ui: `http://127.0.0.1:${ui}` })
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before ready: ${err}`)))
  })
}

const dir = tempDir('sluice-kill-')
after(() => rmSync(dir, { recursive: true, force: true }))

test('SIGKILL during ingest loses nothing that was acknowledged', async () => {
  const first = await startChild(dir)
  const acked = new Set<number>()
  let next = 0
  let stop = false
  const client = async () => {
    while (!stop) {
      const ns = Array.from({ length: 200 }, () => next++)
      const body = ndjson(ns.flatMap((n) => [{ create: { _index: 'kill' } }, { log: `record ${n}`, n }]))
      try {
        const r = await http(`${first.es}/_bulk`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/x-ndjson' },
        })
        if (r.status !== 200) continue
        r.json().items.forEach((it: any, i: number) => {
          if (it.create.status === 201) acked.add(ns[i]!)
        })
      } catch {
        // the server died under this request: it was not acknowledged
      }
    }
  }
  const clients = Array.from({ length: 6 }, client)
  while (acked.size < 20_000) await new Promise((r) => setTimeout(r, 20))
  first.child.kill('SIGKILL')
  await new Promise((r) => first.child.on('exit', r))
  stop = true
  await Promise.all(clients)
  assert.ok(acked.size >= 20_000)

  const second = await startChild(dir)
  try {
    const seen = new Map<number, number>()
    let afterCursor: string | null = null
    do {
      const r: any = (
        await postJson(`${second.ui}/api/search`, {
          query: '_index:kill',
          from: 'now-1h',
          to: 'now+1h',
          size: 10_000,
          fields: ['n'],
          ...(afterCursor ? { after: afterCursor } : {}),
        })
      ).json()
      for (const h of r.hits) seen.set(h.n, (seen.get(h.n) ?? 0) + 1)
      afterCursor = r.after
    } while (afterCursor)
    const missing = [...acked].filter((n) => !seen.has(n))
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged records lost`)
    const dup = [...seen].filter(([, c]) => c > 1)
    assert.deepEqual(dup.slice(0, 10), [], 'records stored twice')
  } finally {
    second.child.kill('SIGTERM')
    await new Promise((r) => second.child.on('exit', r))
  }
})
