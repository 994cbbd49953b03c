// The re-emitting filters (multiline, rewrite_tag) inside the real engine: re-emitted records are
// routed, and every input batch is acknowledged only once the records made from it are delivered.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAgent } from '../agent.ts'
import { ackSpy, bench, makeConfig, waitFor } from '../engine/test-helpers.ts'
import type { LogEvent } from '../plugin.ts'
import multiline from './multiline/index.ts'
import rewriteTag from './rewrite-tag/index.ts'

const line = (log: string): LogEvent => ({ sec: 1_700_000_000, nsec: 0, body: { log } })

function setup(filters: Record<string, string>[]) {
  const b = bench()
  const base = b.options()
  const agent = createAgent(
    makeConfig({ inputs: [{ Name: 'fake_in' }], filters, outputs: [{ Name: 'fake_out', Match: '*' }] }),
    { ...base, plugins: { ...base.plugins!, filters: [multiline, rewriteTag] } },
  )
  return { b, agent }
}

test('multiline in the engine: a trace split over two batches is delivered whole, both batches acknowledged after it', async () => {
  const { b, agent } = setup([{ Name: 'multiline', Match: '*', 'multiline.parser': 'java', flush_ms: '60000' }])
  await agent.start()
  try {
    const in0 = b.input('fake_in.0')
    const ack1 = ackSpy()
    const ack2 = ackSpy()
    in0.emit('app', [line('hello'), line('java.lang.IllegalStateException: boom'), line('\tat a.B.c(B.java:1)')], ack1)
    await waitFor(() => b.records('fake_out.0').length === 1, 'first line delivered')
    assert.equal(ack1.calls.length, 0, 'batch 1 still has lines in the joiner')
    in0.emit('app', [line('\tat a.B.d(B.java:2)'), line('bye')], ack2)
    await waitFor(() => b.records('fake_out.0').length === 3, 'joined record and last line')
    await waitFor(() => ack1.calls.length === 1 && ack2.calls.length === 1, 'both acks')
    assert.deepEqual(
      b.records('fake_out.0').map((e) => e.body.log),
      ['hello', 'java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)', 'bye'],
    )
    assert.equal(ack1.calls[0]!.rejected, 0)
  } finally {
    await agent.stop()
  }
})

test('rewrite_tag in the engine: re-tagged records are delivered under the new tag before the batch is acknowledged', async () => {
  const { b, agent } = setup([{ Name: 'rewrite_tag', Match: 'app', Rule: '$level ^(error)$ alerts.$1 false' }])
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit(
      'app',
      [
        { sec: 1, nsec: 0, body: { level: 'error' } },
        { sec: 1, nsec: 0, body: { level: 'info' } },
      ],
      ack,
    )
    await waitFor(() => ack.calls.length === 1, 'ack')
    const tags = b.delivered.get('fake_out.0')!.flatMap((d) => d.events.map((e) => `${d.tag}:${e.body.level}`))
    assert.deepEqual(tags.sort(), ['alerts.error:error', 'app:info'])
  } finally {
    await agent.stop()
  }
})
