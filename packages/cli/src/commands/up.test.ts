// `sluice up` end to end: the real server, agent and demo workload, on ephemeral ports and a temporary
// data directory. Records of every demo namespace become searchable, stack traces arrive as single
// records with Kubernetes fields, and Ctrl-C (SIGINT) leaves no process behind.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { demoDeployments } from '../gen/cluster.ts'

const cli = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url))
const data = mkdtempSync(join(tmpdir(), 'sluice-up-'))
let up: ChildProcess
let output = ''
let ui = ''

interface Hit {
  [k: string]: unknown
}

async function search(query: string, size = 5): Promise<{ total: number; hits: Hit[] }> {
  const r = await fetch(`${ui}/api/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, from: 'now-1h', to: 'now+5m', size }),
  })
  if (!r.ok) throw new Error(`search ${query}: ${r.status} ${await r.text()}`)
  return (await r.json()) as { total: number; hits: Hit[] }
}

async function eventually<T>(what: string, f: () => Promise<T | undefined>, ms = 90_000, whileUp = true): Promise<T> {
  const end = Date.now() + ms
  let last: unknown
  while (Date.now() < end) {
    if (whileUp && up.exitCode !== null)
      throw new Error(`sluice up exited (${up.exitCode}) while waiting for ${what}\n${output.slice(-3000)}`)
    try {
      const v = await f()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(
    `timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}\n--- sluice up output ---\n${output.slice(-3000)}`,
  )
}

/** Processes whose command line mentions the data directory (server, agent, or up itself). */
function processesUsing(dir: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cmd.includes(dir)) found.push(`${pid}: ${cmd}`)
    } catch {
      // gone meanwhile
    }
  }
  return found
}

before(async () => {
  up = spawn(
    process.execPath,
    [cli, 'up', '--data', data, '--ui-port', '0', '--es-port', '0', '--rate', '300', '--quiet'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  up.stdout!.on('data', (d) => {
    output += d
  })
  up.stderr!.on('data', (d) => {
    output += d
  })
  ui = await eventually('the UI URL', async () => /Web UI:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1], 60_000)
})

after(() => {
  if (up.exitCode === null) up.kill('SIGKILL')
  rmSync(data, { recursive: true, force: true })
})

describe('sluice up', () => {
  test('records of every demo namespace become searchable, with Kubernetes fields', async () => {
    const namespaces = [...new Set(demoDeployments.map((d) => d.namespace))]
    for (const ns of namespaces) {
      const r = await eventually(`records of namespace ${ns}`, async () => {
        const s = await search(`kubernetes.namespace_name:"${ns}"`, 1)
        return s.total > 0 ? s : undefined
      })
      const k = r.hits[0]!.kubernetes as Record<string, unknown>
      assert.equal(k.namespace_name, ns)
      assert.equal(typeof k.pod_name, 'string')
      assert.equal(typeof k.container_name, 'string')
      assert.match(String(k.docker_id), /^[0-9a-f]{64}$/)
      assert.equal(r.hits[0]!.cluster, 'demo', 'modify added cluster')
    }
  })

  test('health probes are filtered out; stack traces arrive as single records', async () => {
    const trace = await eventually('a Java stack trace', async () => {
      const s = await search('"IllegalStateException"', 5)
      return s.hits.find((h) =>
        String(h.log ?? h.message).includes('\tat com.example.checkout.PaymentClient.authorize'),
      )
    })
    const text = String(trace.log ?? trace.message)
    assert.match(text, /^java\.lang\.IllegalStateException: Payment declined/)
    assert.match(text, /\n\tat com\.example\.checkout\.OrderController\.post/)
    assert.match(text, /Caused by: java\.net\.SocketTimeoutException/)
    const py = await eventually('a Python traceback', async () => {
      const s = await search('"Traceback"', 5)
      return s.hits.find((h) => String(h.log ?? h.message).includes('ItemNotFound'))
    })
    assert.match(
      String(py.log ?? py.message),
      /^Traceback \(most recent call last\):\n {2}File "\/app\/cart\/views\.py"/,
    )
    assert.equal((await search('"kube-probe"', 1)).total, 0)
  })

  test('Ctrl-C stops everything cleanly and leaves no process behind', async () => {
    assert.equal(up.exitCode, null, `sluice up is still running before Ctrl-C\n${output.slice(-2000)}`)
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)))
    up.kill('SIGINT')
    assert.equal(await exited, 0, output.slice(-2000))
    assert.match(output, /Sluice stopped\. Data kept in/)
    await eventually(
      'every child to exit',
      async () => (processesUsing(data).length === 0 ? true : undefined),
      20_000,
      false,
    )
  })
})
