import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAgent } from '../agent.ts'
import { ackSpy, bench, events, makeConfig, waitFor } from '../engine/test-helpers.ts'
import { uptimeHuman } from './formats.ts'

const service = (extra: Record<string, string | number> = {}) => ({
  HTTP_Server: 'On',
  HTTP_Listen: '127.0.0.1',
  HTTP_Port: 0,
  ...extra,
})

test('monitoring: Fluent Bit endpoints over HTTP on an ephemeral port', async () => {
  const b = bench()
  b.behaviours.set('fake_out.1', (_e, _t, attempt) =>
    attempt === 1 ? { kind: 'retry', reason: '503' } : { kind: 'ok' },
  )
  const agent = createAgent(
    makeConfig({
      service: service({ 'scheduler.base': 1 }),
      inputs: [{ Name: 'fake_in', Tag: 'app' }],
      filters: [{ Name: 'fake_filter', Match: '*', Action: 'drop_odd' }],
      outputs: [
        { Name: 'fake_out', Match: '*' },
        { Name: 'fake_out', Match: '*' },
      ],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const port = agent.monitoringPort
    assert.ok(port && port > 0, 'bound port exposed')
    const base = `http://127.0.0.1:${port}`
    const ack = ackSpy()
    b.input('fake_in.0').emit('app', events(4), ack)
    await waitFor(() => ack.calls.length === 1, 'delivery')

    const root = await (await fetch(`${base}/`)).json()
    assert.equal(typeof root['fluent-bit'].version, 'string')
    assert.ok(Array.isArray(root['fluent-bit'].flags))

    const up = await (await fetch(`${base}/api/v1/uptime`)).json()
    assert.equal(typeof up.uptime_sec, 'number')
    assert.match(up.uptime_hr, /^Fluent Bit has been running: {2}0 day, 0 hour, 0 minute and \d+ seconds?$/)

    const m = await (await fetch(`${base}/api/v1/metrics`)).json()
    assert.deepEqual(m.input, { 'fake_in.0': { records: 4, bytes: m.input['fake_in.0'].bytes } })
    assert.ok(m.input['fake_in.0'].bytes > 0)
    assert.deepEqual(m.filter, { 'fake_filter.0': { drop_records: 2, add_records: 0 } })
    assert.deepEqual(Object.keys(m.output).sort(), ['fake_out.0', 'fake_out.1'])
    const o1 = m.output['fake_out.1']
    assert.equal(o1.proc_records, 2)
    assert.equal(o1.errors, 1)
    assert.equal(o1.retries, 1)
    assert.equal(o1.retried_records, 2)
    assert.equal(o1.retries_failed, 0)
    assert.equal(o1.dropped_records, 0)

    for (const path of ['/api/v1/metrics/prometheus', '/api/v2/metrics/prometheus']) {
      const res = await fetch(base + path)
      assert.match(res.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/)
      const text = await res.text()
      assert.match(text, /^fluentbit_input_records_total\{name="fake_in\.0"\} 4$/m)
      assert.match(text, /^fluentbit_output_proc_records_total\{name="fake_out\.0"\} 2$/m)
      assert.match(text, /^fluentbit_filter_drop_records_total\{name="fake_filter\.0"\} 2$/m)
      assert.match(text, /^fluentbit_output_retries_total\{name="fake_out\.1"\} 1$/m)
      assert.match(text, /^# TYPE fluentbit_uptime gauge$/m)
      assert.match(text, /^fluentbit_hot_reloaded_times\{hostname="[^"]+"\} 0$/m)
      assert.match(text, /^fluentbit_build_info\{hostname="[^"]+",version="[^"]+",os="[^"]+"\} \d+$/m)
    }
    const v2 = await (await fetch(`${base}/api/v2/metrics`)).text()
    assert.match(v2, /^\d{4}-\d\d-\d\dT[\d:.]+Z fluentbit_input_records_total\{name="fake_in\.0"\} = 4$/m)

    const h1 = await fetch(`${base}/api/v1/health`)
    assert.equal(h1.status, 200)
    assert.equal(await h1.text(), 'ok')
    const h2 = await fetch(`${base}/api/v2/health`)
    assert.equal(h2.status, 200)
    assert.equal((await h2.json()).status, 'ok')

    const reload = await fetch(`${base}/api/v2/reload`, { method: 'POST' })
    assert.equal(reload.status, 400)
    assert.deepEqual(await reload.json(), { reload: 'not enabled', status: -1 })
    assert.equal((await fetch(`${base}/api/v9/nothing`)).status, 404)
  } finally {
    await agent.stop()
  }
})

test('monitoring: Health_Check turns /api/v1/health to 500 "error" past HC_Errors_Count', async () => {
  const b = bench()
  b.behaviours.set('fake_out.0', () => ({ kind: 'error', reason: 'bad request' }))
  const agent = createAgent(
    makeConfig({
      service: service({ Health_Check: 'On', HC_Errors_Count: 2, HC_Retry_Failure_Count: 100, HC_Period: 60 }),
      inputs: [{ Name: 'fake_in' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const base = `http://127.0.0.1:${agent.monitoringPort}`
    const emitOne = async () => {
      const ack = ackSpy()
      b.input('fake_in.0').emit('t', events(1), ack)
      await waitFor(() => ack.calls.length === 1, 'rejection')
    }
    await emitOne()
    await emitOne()
    assert.equal((await fetch(`${base}/api/v1/health`)).status, 200, 'errors == HC_Errors_Count is still healthy')
    await emitOne()
    const res = await fetch(`${base}/api/v1/health`)
    assert.equal(res.status, 500)
    assert.equal(await res.text(), 'error')
    const v2 = await fetch(`${base}/api/v2/health`)
    assert.equal(v2.status, 500)
    assert.deepEqual(await v2.json(), { status: 'error', health_check: true, errors: 3, retries_failed: 0 })
  } finally {
    await agent.stop()
  }
})

test('uptime in Fluent Bit wording', () => {
  assert.equal(
    uptimeHuman(2 * 86400 + 7200 + 61),
    'Fluent Bit has been running:  2 days, 2 hours, 1 minute and 1 second',
  )
  assert.equal(uptimeHuman(5), 'Fluent Bit has been running:  0 day, 0 hour, 0 minute and 5 seconds')
})
