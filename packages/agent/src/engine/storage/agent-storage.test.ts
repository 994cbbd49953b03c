// Filesystem buffering through the agent: a `storage.type filesystem` input's records go through
// chunk files; storage.max_chunks_up bounds what is in memory while the output is blocked; the
// fluentbit_storage_* metrics (storage.metrics) and the /api/v1/storage document report the chunks.

import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createAgent } from '../../agent.ts'
import { bench, events, gate, makeConfig, waitFor } from '../test-helpers.ts'

test('agent: max_chunks_up keeps only that many chunks in memory while the output is blocked; all delivered after', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-agent-fs-'))
  const b = bench()
  const g = gate()
  b.behaviours.set('fake_out.0', async () => {
    await g.promise
    return { kind: 'ok' }
  })
  const agent = createAgent(
    makeConfig({
      service: {
        'storage.path': dir,
        'storage.max_chunks_up': 2,
        'storage.metrics': 'on',
        HTTP_Server: 'on',
        HTTP_Listen: '127.0.0.1',
        HTTP_Port: '0',
      },
      inputs: [{ Name: 'fake_in', 'storage.type': 'filesystem' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ctx = b.input('fake_in.0')
    for (let t = 0; t < 5; t++) ctx.emit(`t${t}`, events(10, t * 100))
    const gauge = (n: string) => agent.metrics.gauge(n, '').get()
    assert.equal(gauge('fluentbit_storage_fs_chunks'), 5)
    assert.equal(gauge('fluentbit_storage_fs_chunks_up'), 2)
    assert.equal(gauge('fluentbit_storage_fs_chunks_down'), 3)
    assert.match(agent.metrics.prometheus(), /fluentbit_input_storage_chunks_down\{name="fake_in.0"\} 3/)
    const report = agent.storageReport() as { storage_layer: { chunks: Record<string, number> } }
    assert.equal(report.storage_layer.chunks.fs_chunks_down, 3)
    // the same document on the monitoring API, as Fluent Bit serves it
    const served = await (await fetch(`http://127.0.0.1:${agent.monitoringPort}/api/v1/storage`)).json()
    assert.deepEqual(served, JSON.parse(JSON.stringify(report)))
    assert.equal((await readdir(join(dir, 'fake_in.0'))).length, 5, 'every chunk is on disk')
    g.open()
    await waitFor(() => b.records('fake_out.0').length === 50, 'every record delivered')
    await waitFor(() => gauge('fluentbit_storage_fs_chunks') === 0, 'every chunk done')
    assert.deepEqual(await readdir(join(dir, 'fake_in.0')), [])
    const ns = b
      .records('fake_out.0')
      .map((e) => e.body.n as number)
      .sort((x, y) => x - y)
    assert.deepEqual(
      ns,
      [0, 100, 200, 300, 400].flatMap((s) => Array.from({ length: 10 }, (_, i) => s + i)),
    )
  } finally {
    g.open()
    await agent.stop()
    await rm(dir, { recursive: true, force: true })
  }
})

test('agent: a reload keeps a filesystem input and its chunks; a stop leaves undelivered chunks on disk for the next start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-agent-fs-'))
  const spec = (outputs: Record<string, string>[]) =>
    makeConfig({
      service: { 'storage.path': dir, Grace: 0.01 },
      inputs: [{ Name: 'fake_in', 'storage.type': 'filesystem' }],
      outputs,
    })
  const b = bench()
  b.behaviours.set('fake_out.0', () => ({ kind: 'retry', reason: 'down' }))
  const agent = createAgent(spec([{ Name: 'fake_out', Match: '*', Retry_Limit: 'no_limits' }]), b.options())
  await agent.start()
  try {
    b.input('fake_in.0').emit('app', events(4))
    const r = await agent.reload(
      spec([
        { Name: 'fake_out', Match: '*', Retry_Limit: 'no_limits' },
        { Name: 'fake_out', Match: 'nothing' },
      ]),
    )
    assert.ok(r.ok)
    assert.ok(r.kept.includes('fake_in.0'))
    b.input('fake_in.0').emit('app', events(3, 100))
  } finally {
    await agent.stop()
  }
  const left = await readdir(join(dir, 'fake_in.0'))
  assert.ok(left.length >= 1, 'undelivered chunks stay on disk')

  const b2 = bench()
  const again = createAgent(spec([{ Name: 'fake_out', Match: '*' }]), b2.options())
  await again.start()
  try {
    await waitFor(() => b2.records('fake_out.0').length === 7, 'the 7 records replayed')
    assert.deepEqual(
      b2
        .records('fake_out.0')
        .map((e) => e.body.n)
        .sort((x, y) => Number(x) - Number(y)),
      [0, 1, 2, 3, 100, 101, 102],
    )
    await waitFor(() => readdirSync(join(dir, 'fake_in.0')).length === 0, 'the replayed chunks deleted')
  } finally {
    await again.stop()
    await rm(dir, { recursive: true, force: true })
  }
})
