import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAgent } from '../../agent.ts'
import { bench, gate, makeConfig, waitFor } from '../../engine/test-helpers.ts'
import { dummyInput } from './dummy.ts'

test('dummy: Samples × Copies records of the Dummy body, fixed start timestamp', async () => {
  const b = bench()
  const plugins = { ...b.plugins, inputs: [dummyInput] }
  const agent = createAgent(
    makeConfig({
      inputs: [
        {
          Name: 'dummy',
          Dummy: '{"message":"hello","n":1,"nested":{"a":[1,2]}}',
          Rate: 200,
          Samples: 3,
          Copies: 2,
          Start_time_sec: 1000,
          Start_time_nsec: 5,
          Fixed_timestamp: 'on',
          Tag: 'dummy.test',
        },
      ],
      outputs: [{ Name: 'fake_out', Match: 'dummy.*' }],
    }),
    b.options({ plugins }),
  )
  await agent.start()
  try {
    await waitFor(() => b.records('fake_out.0').length === 6, 'six records')
    await new Promise((r) => setTimeout(r, 30))
    const got = b.records('fake_out.0')
    assert.equal(got.length, 6, 'stops after Samples')
    for (const e of got) {
      assert.deepEqual(e.body, { message: 'hello', n: 1, nested: { a: [1, 2] } })
      assert.equal(e.sec, 1000)
      assert.equal(e.nsec, 5)
    }
    assert.notEqual(got[0]!.body, got[1]!.body, 'each record has its own body')
  } finally {
    await agent.stop()
  }
})

test('dummy: default record and current time; pauses under Mem_Buf_Limit', async () => {
  const b = bench()
  const g = gate()
  b.behaviours.set('fake_out.0', async () => {
    await g.promise
    return { kind: 'ok' }
  })
  const plugins = { ...b.plugins, inputs: [dummyInput] }
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'dummy', Rate: 100000, Mem_Buf_Limit: '8k' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options({ plugins }),
  )
  const before = Math.floor(Date.now() / 1000)
  await agent.start()
  try {
    await waitFor(
      () => b.log.lines.some((l) => l.includes('[input:dummy:dummy.0] paused (mem buf overlimit)')),
      'pause',
    )
    const emitted = agent.metrics.counter('fluentbit_input_records_total', '').get({ name: 'dummy.0' })
    await new Promise((r) => setTimeout(r, 30))
    assert.equal(
      agent.metrics.counter('fluentbit_input_records_total', '').get({ name: 'dummy.0' }),
      emitted,
      'nothing generated while paused',
    )
    g.open()
    await waitFor(() => b.records('fake_out.0').length >= emitted, 'delivered after the output unblocked')
    const e = b.records('fake_out.0')[0]!
    assert.deepEqual(e.body, { message: 'dummy' })
    assert.ok(e.sec >= before && e.sec <= Math.floor(Date.now() / 1000))
  } finally {
    g.open()
    await agent.stop()
  }
})

test('dummy: Flush_on_startup generates at once; Interval_sec replaces Rate; Samples 1 stops there', async () => {
  const b = bench()
  const plugins = { ...b.plugins, inputs: [dummyInput] }
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'dummy', Rate: 0, Interval_sec: 3600, Flush_on_startup: 'on', Samples: 1, Dummy: '{"k":"v"}' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options({ plugins }),
  )
  await agent.start()
  // generated during start, before the first (hour-long) interval
  assert.equal(agent.metrics.counter('fluentbit_input_records_total', '').get({ name: 'dummy.0' }), 1)
  await agent.stop()
  assert.deepEqual(
    b.records('fake_out.0').map((e) => e.body),
    [{ k: 'v' }],
  )
})

test('dummy: a Dummy that is not a JSON object is a config error', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({ inputs: [{ Name: 'dummy', Dummy: '[1,2]' }], outputs: [{ Name: 'fake_out', Match: '*' }] }),
    b.options({ plugins: { ...b.plugins, inputs: [dummyInput] } }),
  )
  await assert.rejects(
    agent.start(),
    /input:dummy:dummy\.0: cannot initialize: invalid dummy JSON "\[1,2\]": not a JSON object/,
  )
})
