import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAgent } from '../agent.ts'
import { backoffSeconds } from './backoff.ts'
import { ackSpy, bench, events, fastTiming, makeConfig, waitFor } from './test-helpers.ts'

test('backoff: full jitter within min(cap, base*2^n); Retry-After wins, capped', () => {
  const s = { base: 5, cap: 2000 }
  assert.equal(
    backoffSeconds(0, s, () => 0),
    0,
  )
  assert.equal(
    backoffSeconds(0, s, () => 0.5),
    2.5,
  )
  assert.equal(
    backoffSeconds(3, s, () => 0.5),
    20,
  )
  assert.equal(
    backoffSeconds(20, s, () => 0.5),
    1000,
  )
  assert.equal(
    backoffSeconds(5000, s, () => 0.5),
    1000,
    'huge attempt counts stay capped',
  )
  assert.equal(
    backoffSeconds(3, s, () => 0.5, 7),
    7,
  )
  assert.equal(
    backoffSeconds(3, s, () => 0.5, 99_999),
    2000,
  )
})

async function runWithLimit(limit: string | undefined, failures: number) {
  const b = bench()
  b.behaviours.set('fake_out.0', (_e, _t, attempt) =>
    attempt <= failures ? { kind: 'retry', reason: `503 attempt ${attempt}` } : { kind: 'ok' },
  )
  const out: Record<string, string> = { Name: 'fake_out', Match: '*' }
  if (limit !== undefined) out.Retry_Limit = limit
  const agent = createAgent(
    makeConfig({ service: { 'scheduler.base': 1, 'scheduler.cap': 2 }, inputs: [{ Name: 'fake_in' }], outputs: [out] }),
    b.options(),
  )
  await agent.start()
  const ack = ackSpy()
  b.input('fake_in.0').emit('t', events(3), ack)
  await waitFor(() => ack.calls.length === 1, `ack with Retry_Limit ${limit}`)
  await agent.stop()
  const m = agent.metrics
  const get = (name: string) => m.counter(name, '').get({ name: 'fake_out.0' })
  return {
    ack: ack.calls[0]!,
    attempts: b.attempts.get('fake_out.0'),
    retries: get('fluentbit_output_retries_total'),
    failed: get('fluentbit_output_retries_failed_total'),
    dropped: get('fluentbit_output_dropped_records_total'),
    errors: get('fluentbit_output_errors_total'),
    retried: get('fluentbit_output_retried_records_total'),
    log: b.log.lines,
  }
}

test('Retry_Limit default (1): one retry, then rejected for good with one error line', async () => {
  const r = await runWithLimit(undefined, 100)
  assert.deepEqual(r.ack, { delivered: 0, rejected: 3 })
  assert.equal(r.attempts, 2)
  assert.equal(r.retries, 1)
  assert.equal(r.retried, 3)
  assert.equal(r.failed, 1)
  assert.equal(r.dropped, 3)
  assert.equal(r.errors, 2)
  const errs = r.log.filter((l) => l.includes('[error]'))
  assert.equal(errs.length, 1)
  assert.match(
    errs[0]!,
    /\[output:fake_out:fake_out\.0\] dropped 3 records \(tag t\): retries exhausted after 2 attempts \(Retry_Limit 1\); last error: 503 attempt 2/,
  )
})

test('Retry_Limit N: N retries then rejected; success within the limit is delivered', async () => {
  const r = await runWithLimit('3', 100)
  assert.equal(r.attempts, 4)
  assert.equal(r.failed, 1)
  assert.deepEqual(r.ack, { delivered: 0, rejected: 3 })
  const ok = await runWithLimit('3', 3)
  assert.equal(ok.attempts, 4)
  assert.deepEqual(ok.ack, { delivered: 3, rejected: 0 })
  assert.equal(ok.failed, 0)
  assert.equal(ok.dropped, 0)
})

test('Retry_Limit no_retries: one attempt only', async () => {
  const r = await runWithLimit('no_retries', 100)
  assert.equal(r.attempts, 1)
  assert.equal(r.retries, 0)
  assert.equal(r.failed, 1)
  assert.deepEqual(r.ack, { delivered: 0, rejected: 3 })
  assert.ok(r.log.some((l) => l.includes('retries disabled (Retry_Limit no_retries)')))
})

test('Retry_Limit no_limits and False: retry until delivered', async () => {
  for (const form of ['no_limits', 'False']) {
    const r = await runWithLimit(form, 12)
    assert.equal(r.attempts, 13, form)
    assert.equal(r.retries, 12, form)
    assert.deepEqual(r.ack, { delivered: 3, rejected: 0 }, form)
  }
})

test('a thrown error counts as retry; Retry-After is honoured', async () => {
  const b = bench()
  b.behaviours.set('fake_out.0', (_e, _t, attempt) => {
    if (attempt === 1) throw new Error('socket hang up')
    if (attempt === 2) return { kind: 'retry', reason: '429', retryAfterMs: 7000 }
    return { kind: 'ok' }
  })
  const delays: number[] = []
  const agent = createAgent(
    makeConfig({
      service: { 'scheduler.base': 1 },
      inputs: [{ Name: 'fake_in' }],
      outputs: [{ Name: 'fake_out', Match: '*', Retry_Limit: 5 }],
    }),
    b.options({
      timing: {
        ...fastTiming,
        setTimeout: (fn, ms) => {
          delays.push(ms)
          return setTimeout(fn, ms)
        },
      },
    }),
  )
  await agent.start()
  try {
    const ack = ackSpy()
    b.input('fake_in.0').emit('t', events(1), ack)
    await waitFor(() => ack.calls.length === 1, 'ack')
    assert.deepEqual(ack.calls[0], { delivered: 1, rejected: 0 })
    assert.equal(b.attempts.get('fake_out.0'), 3)
    assert.ok(delays.includes(7), `Retry-After 7 s scaled to 7 ms in ${delays.join(',')}`)
    assert.ok(b.log.lines.some((l) => l.includes('socket hang up') && l.includes('retry 1')))
  } finally {
    await agent.stop()
  }
})
