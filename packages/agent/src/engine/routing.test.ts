import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAgent } from '../agent.ts'
import { ackSpy, bench, events, makeConfig, waitFor } from './test-helpers.ts'

test('routing: Match wildcards, Match_Regex, multiple outputs, filters per tag', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      service: { Flush: 1 },
      inputs: [{ Name: 'fake_in', Tag: 'kube.a' }],
      filters: [
        { Name: 'fake_filter', Match: 'kube.*', Field: 'kube' },
        { Name: 'fake_filter', Match_Regex: '^app\\.(x|y)$', Field: 'app' },
      ],
      outputs: [
        { Name: 'fake_out', Match: '*' },
        { Name: 'fake_out', Match: 'kube.*' },
        { Name: 'fake_out', Match_Regex: '^app\\.(x|y)$' },
        { Name: 'fake_out', Match: 'none' },
      ],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const input = b.input('fake_in.0')
    input.emit('kube.a', events(3, 0))
    input.emit('app.x', events(2, 10))
    input.emit('app.z', events(1, 20))
    await waitFor(() => b.records('fake_out.0').length === 6, 'catch-all output')
    await waitFor(() => b.records('fake_out.1').length === 3 && b.records('fake_out.2').length === 2, 'outputs')
    assert.equal(b.records('fake_out.3').length, 0)
    const byN = new Map(b.records('fake_out.0').map((e) => [e.body.n, e.body]))
    assert.deepEqual(byN.get(0), { n: 0, kube: 1 })
    assert.deepEqual(byN.get(10), { n: 10, app: 1 })
    assert.deepEqual(byN.get(20), { n: 20 })
    assert.deepEqual(
      b.delivered.get('fake_out.1')!.map((x) => x.tag),
      ['kube.a'],
    )
    assert.deepEqual(agent.instances(), {
      inputs: ['fake_in.0'],
      filters: ['fake_filter.0', 'fake_filter.1'],
      outputs: ['fake_out.0', 'fake_out.1', 'fake_out.2', 'fake_out.3'],
    })
  } finally {
    await agent.stop()
  }
})

test('ack: called once, only after every matching output delivered', async () => {
  const b = bench()
  let releaseSlow!: () => void
  const slow = new Promise<void>((r) => (releaseSlow = r))
  b.behaviours.set('slow', async () => {
    await slow
    return { kind: 'ok' }
  })
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in' }],
      outputs: [
        { Name: 'fake_out', Match: '*' },
        { Name: 'fake_out', Match: '*', Alias: 'slow' },
      ],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('t', events(4), ack)
    await waitFor(() => b.records('fake_out.0').length === 4, 'fast output')
    assert.equal(ack.calls.length, 0, 'not acknowledged while an output still holds the records')
    releaseSlow()
    await waitFor(() => ack.calls.length === 1, 'ack')
    assert.deepEqual(ack.calls, [{ delivered: 4, rejected: 0 }])
    await new Promise((r) => setTimeout(r, 20))
    assert.equal(ack.calls.length, 1, 'exactly once')
  } finally {
    await agent.stop()
  }
})

test('ack: records matching no output are acknowledged at once, counted and debug-logged', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({ inputs: [{ Name: 'fake_in' }], outputs: [{ Name: 'fake_out', Match: 'only.this' }] }),
    b.options(),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('other', events(5), ack)
    assert.deepEqual(ack.calls, [{ delivered: 5, rejected: 0 }])
    assert.equal(agent.metrics.counter('sluice_input_unrouted_records_total', '').get({ name: 'fake_in.0' }), 5)
    assert.ok(b.log.lines.some((l) => l.includes('[debug]') && l.includes('match no output')))
  } finally {
    await agent.stop()
  }
})

test('ack: records a filter drops count as delivered and in fluentbit_filter_drop_records_total', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in' }],
      filters: [
        { Name: 'fake_filter', Match: '*', Action: 'drop_odd' },
        { Name: 'fake_filter', Match: '*', Action: 'double' },
      ],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('t', events(6), ack)
    await waitFor(() => ack.calls.length === 1, 'ack')
    assert.deepEqual(ack.calls[0], { delivered: 6, rejected: 0 })
    assert.equal(b.records('fake_out.0').length, 6) // 3 kept, doubled
    const m = agent.metrics
    assert.equal(m.counter('fluentbit_filter_drop_records_total', '').get({ name: 'fake_filter.0' }), 3)
    assert.equal(m.counter('fluentbit_filter_add_records_total', '').get({ name: 'fake_filter.1' }), 3)
    const all = ackSpy()
    // a filter dropping everything: acknowledged at once
    const b2 = bench()
    const a2 = createAgent(
      makeConfig({
        inputs: [{ Name: 'fake_in' }],
        filters: [{ Name: 'fake_filter', Match: '*', Action: 'drop_all' }],
        outputs: [{ Name: 'fake_out', Match: '*' }],
      }),
      b2.options(),
    )
    await a2.start()
    b2.input('fake_in.0').emit('t', events(2), all)
    assert.deepEqual(all.calls, [{ delivered: 2, rejected: 0 }])
    await a2.stop()
  } finally {
    await agent.stop()
  }
})

test('ack: partial flush re-queues only the retry subset; rejected records are counted and logged', async () => {
  const b = bench()
  b.behaviours.set('fake_out.0', (evs, _tag, attempt) => {
    if (attempt === 1)
      return {
        kind: 'partial',
        reason: 'some items failed',
        retry: evs.filter((e) => e.body.n === 1),
        rejected: [{ event: evs.find((e) => e.body.n === 2)!, reason: 'mapper_parsing_exception' }],
      }
    return { kind: 'ok' }
  })
  const agent = createAgent(
    makeConfig({ inputs: [{ Name: 'fake_in' }], outputs: [{ Name: 'fake_out', Match: '*' }] }),
    b.options(),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('t', events(4), ack)
    await waitFor(() => ack.calls.length === 1, 'ack')
    assert.deepEqual(ack.calls[0], { delivered: 3, rejected: 1 })
    const got = b.records('fake_out.0').map((e) => e.body.n)
    assert.deepEqual(got.sort(), [0, 1, 3])
    assert.equal(b.delivered.get('fake_out.0')![1]!.events.length, 1, 'second flush carries only the retry subset')
    const m = agent.metrics
    assert.equal(m.counter('fluentbit_output_dropped_records_total', '').get({ name: 'fake_out.0' }), 1)
    assert.equal(m.counter('fluentbit_output_retried_records_total', '').get({ name: 'fake_out.0' }), 1)
    assert.equal(m.counter('fluentbit_output_proc_records_total', '').get({ name: 'fake_out.0' }), 3)
    assert.ok(b.log.lines.some((l) => l.includes('[error]') && l.includes('mapper_parsing_exception')))
  } finally {
    await agent.stop()
  }
})

test('ack: batches merged into one chunk are attributed separately on partial rejection', async () => {
  const b = bench()
  b.behaviours.set('fake_out.0', (evs, _tag, attempt) =>
    attempt === 1
      ? {
          kind: 'partial',
          reason: 'x',
          retry: [],
          rejected: evs.filter((e) => e.body.bad).map((event) => ({ event, reason: 'bad' })),
        }
      : { kind: 'ok' },
  )
  const agent = createAgent(
    makeConfig({ service: { Flush: 50 }, inputs: [{ Name: 'fake_in' }], outputs: [{ Name: 'fake_out', Match: '*' }] }),
    b.options(),
  )
  await agent.start()
  try {
    const a1 = ackSpy()
    const a2 = ackSpy()
    b.input('fake_in.0').emit('t', events(2), a1)
    b.input('fake_in.0').emit('t', events(3, 10, { bad: true }), a2)
    await waitFor(() => a1.calls.length === 1 && a2.calls.length === 1, 'acks')
    assert.equal(b.attempts.get('fake_out.0'), 1, 'one chunk, one flush')
    assert.deepEqual(a1.calls[0], { delivered: 2, rejected: 0 })
    assert.deepEqual(a2.calls[0], { delivered: 0, rejected: 3 })
  } finally {
    await agent.stop()
  }
})

test('ack: output error rejects for good; a failing filter passes records on unchanged', async () => {
  const b = bench()
  b.behaviours.set('fake_out.0', () => ({ kind: 'error', reason: '401 unauthorized' }))
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in' }],
      filters: [{ Name: 'fake_filter', Match: '*', Action: 'throw' }],
      outputs: [
        { Name: 'fake_out', Match: '*' },
        { Name: 'fake_out', Match: '*' },
      ],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('t', events(3), ack)
    await waitFor(() => ack.calls.length === 1, 'ack')
    assert.deepEqual(ack.calls[0], { delivered: 0, rejected: 3 })
    assert.equal(b.records('fake_out.1').length, 3)
    assert.equal(b.attempts.get('fake_out.0'), 1, 'an error is not retried')
    assert.equal(agent.metrics.counter('sluice_filter_errors_total', '').get({ name: 'fake_filter.0' }), 1)
    assert.ok(b.log.lines.some((l) => l.includes('dropped 3 records (tag t)') && l.includes('401 unauthorized')))
  } finally {
    await agent.stop()
  }
})

test('filter re-emission re-enters routing under the new tag with the same ack; async filters hold the batch', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in' }],
      filters: [
        { Name: 'fake_filter', Match: 'orig', Action: 'reemit', New_Tag: 'moved' },
        { Name: 'fake_filter', Match: 'moved', Action: 'async_mark' },
      ],
      outputs: [{ Name: 'fake_out', Match: 'moved' }],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('orig', events(2), ack)
    assert.equal(ack.calls.length, 0, 'held by the filter')
    await waitFor(() => ack.calls.length === 1, 'ack')
    assert.deepEqual(ack.calls[0], { delivered: 2, rejected: 0 })
    const got = b.records('fake_out.0')
    assert.equal(got.length, 2)
    assert.deepEqual(got[0]!.body, { n: 0, reemitted: true, seen: 'async' })
    assert.equal(b.delivered.get('fake_out.0')![0]!.tag, 'moved')
  } finally {
    await agent.stop()
  }
})

test('routable off: the input records go through filters but reach no output, acknowledged at once', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in', Routable: 'off' }],
      filters: [{ Name: 'fake_filter', Match: '*' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    const evs = events(2)
    b.input('fake_in.0').emit('t', evs, ack)
    assert.deepEqual(ack.calls, [{ delivered: 2, rejected: 0 }])
    assert.equal(evs[0]!.body.seen, 1, 'filtered')
    assert.equal(agent.metrics.counter('sluice_input_unrouted_records_total', '').get({ name: 'fake_in.0' }), 2)
  } finally {
    await agent.stop()
  }
  assert.equal(b.records('fake_out.0').length, 0)
})
