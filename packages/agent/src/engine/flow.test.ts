import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAgent } from '../agent.ts'
import { estimateBytes } from './estimate.ts'
import { DEFAULT_IN_FLIGHT_BYTES } from './input-runtime.ts'
import { ackSpy, bench, events, gate, makeConfig, waitFor } from './test-helpers.ts'

test('backpressure: Mem_Buf_Limit pauses the input while an output is blocked, memory stays bounded, then resumes', async () => {
  const b = bench()
  const g = gate()
  b.behaviours.set('fake_out.0', async () => {
    await g.promise
    return { kind: 'ok' }
  })
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in', Mem_Buf_Limit: '20k' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ctx = b.input('fake_in.0')
    const buffered = () => agent.metrics.gauge('sluice_input_buffered_bytes', '').get({ name: 'fake_in.0' })
    const batchBytes = estimateBytes(events(50))
    let emitted = 0
    let maxBuffered = 0
    // an input that reads as fast as it may: stops when paused
    const readUntilPaused = () => {
      while (!ctx.paused && emitted < 1_000_000) {
        ctx.emit('t', events(50, emitted))
        emitted += 50
        maxBuffered = Math.max(maxBuffered, buffered())
        if (!ctx.paused && emitted % 500 === 0) return false
      }
      return ctx.paused
    }
    // keep reading across flush ticks while the output is blocked
    for (let i = 0; i < 200 && !readUntilPaused(); i++) await new Promise((r) => setTimeout(r, 1))
    assert.equal(ctx.paused, true)
    assert.ok(emitted < 1_000_000, 'the input was stopped by the limit')
    assert.ok(maxBuffered <= 20 * 1024 + batchBytes, `buffered ${maxBuffered} stays within the limit plus one batch`)
    assert.equal(agent.metrics.gauge('fluentbit_input_ingestion_paused', '').get({ name: 'fake_in.0' }), 1)
    assert.equal(b.inputStates.get('fake_in.0')!.paused, 1)
    assert.ok(b.log.lines.some((l) => l.includes('[input:fake_in:fake_in.0] paused (mem buf overlimit)')))

    g.open()
    await ctx.whenResumed()
    assert.equal(ctx.paused, false)
    assert.equal(b.inputStates.get('fake_in.0')!.resumed, 1)
    for (let i = 0; i < 10; i++) {
      ctx.emit('t', events(50, emitted))
      emitted += 50
    }
    await waitFor(() => b.records('fake_out.0').length === emitted, 'every record delivered')
    await waitFor(() => buffered() === 0, 'buffer accounting back to zero')
    assert.ok(b.log.lines.some((l) => l.includes('resume (mem buf overlimit)')))
  } finally {
    g.open()
    await agent.stop()
  }
})

test('shutdown: Grace drains what can be delivered; inputs stopped first', async () => {
  const b = bench()
  b.behaviours.set('fake_out.0', async () => {
    await new Promise((r) => setTimeout(r, 10))
    return { kind: 'ok' }
  })
  const agent = createAgent(
    // Flush 1 h: nothing would be flushed before stop without the drain
    makeConfig({
      service: { Flush: 3_600_000, Grace: 1000 },
      inputs: [{ Name: 'fake_in' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  const acks = [ackSpy(), ackSpy(), ackSpy()]
  for (const [i, a] of acks.entries()) b.input('fake_in.0').emit(`tag${i}`, events(4, i * 10), a)
  assert.equal(b.records('fake_out.0').length, 0)
  const report = await agent.stop()
  assert.deepEqual(report, { undelivered: 0 })
  assert.equal(b.records('fake_out.0').length, 12)
  for (const a of acks) assert.deepEqual(a.calls, [{ delivered: 4, rejected: 0 }])
  assert.equal(b.inputStates.get('fake_in.0')!.stopped, 1)
})

test('shutdown: what Grace cannot deliver is logged with count and reason, and not acknowledged', async () => {
  const b = bench()
  b.behaviours.set('fake_out.0', () => ({ kind: 'retry', reason: 'connection refused' }))
  const agent = createAgent(
    makeConfig({
      service: { Grace: 30, 'scheduler.base': 1 },
      inputs: [{ Name: 'fake_in' }],
      outputs: [{ Name: 'fake_out', Match: '*', Retry_Limit: 'no_limits' }],
    }),
    b.options(),
  )
  await agent.start()
  const ack = ackSpy()
  b.input('fake_in.0').emit('t', events(5), ack)
  await waitFor(() => (b.attempts.get('fake_out.0') ?? 0) >= 1, 'first attempt')
  const report = await agent.stop()
  assert.equal(report.undelivered, 5)
  assert.equal(ack.calls.length, 0, 'undelivered records are not acknowledged')
  assert.ok(
    b.log.lines.some((l) =>
      /left 5 records \(tag t\) undelivered: Grace \(30s\) expired; last error: connection refused/.test(l),
    ),
  )
  assert.ok(b.log.lines.some((l) => l.includes('5 records left undelivered at shutdown')))
})

test('Workers: at most N flushes of one output run at once', async () => {
  for (const workers of [1, 3]) {
    const b = bench()
    const g = gate()
    let started = 0
    b.behaviours.set('fake_out.0', async () => {
      started++
      await g.promise
      return { kind: 'ok' }
    })
    const agent = createAgent(
      makeConfig({ inputs: [{ Name: 'fake_in' }], outputs: [{ Name: 'fake_out', Match: '*', Workers: workers }] }),
      b.options(),
    )
    await agent.start()
    for (let i = 0; i < 6; i++) b.input('fake_in.0').emit(`tag${i}`, events(2))
    await waitFor(() => started === workers, `${workers} flushes started`)
    await new Promise((r) => setTimeout(r, 20))
    assert.equal(started, workers, 'no more flushes than workers while they are busy')
    g.open()
    await waitFor(() => b.records('fake_out.0').length === 12, 'all delivered')
    assert.equal(b.maxInflight, workers)
    await agent.stop()
  }
})

test('storage.total_limit_size: beyond it the oldest queued records are rejected, counted and logged', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      service: { Flush: 3_600_000, Grace: 1000 },
      inputs: [{ Name: 'fake_in' }],
      outputs: [{ Name: 'fake_out', Match: '*', 'storage.total_limit_size': '2k' }],
    }),
    b.options(),
  )
  await agent.start()
  const oldest = ackSpy()
  const newest = ackSpy()
  const batch = (from: number) => events(40, from, { pad: 'x'.repeat(10) })
  assert.ok(estimateBytes(batch(0)) > 1024 && estimateBytes(batch(0)) < 2048)
  b.input('fake_in.0').emit('a', batch(0), oldest)
  b.input('fake_in.0').emit('b', batch(100), newest)
  assert.deepEqual(oldest.calls, [{ delivered: 0, rejected: 40 }])
  assert.equal(newest.calls.length, 0)
  assert.equal(agent.metrics.counter('fluentbit_output_dropped_records_total', '').get({ name: 'fake_out.0' }), 40)
  assert.ok(b.log.lines.some((l) => l.includes('dropped 40 records (tag a): storage.total_limit_size (2048 bytes)')))
  await agent.stop()
  assert.deepEqual(newest.calls, [{ delivered: 40, rejected: 0 }])
  assert.deepEqual(
    b.records('fake_out.0').map((e) => e.body.n),
    Array.from({ length: 40 }, (_, i) => 100 + i),
  )
})

test('shutdown: filters flush what they hold before outputs drain', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      inputs: [{ Name: 'fake_in' }],
      filters: [{ Name: 'fake_filter', Match: '*', Action: 'hold' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  const ack = ackSpy()
  b.input('fake_in.0').emit('t', events(3), ack)
  await new Promise((r) => setTimeout(r, 10))
  assert.equal(ack.calls.length, 0, 'held by the filter')
  assert.equal(b.records('fake_out.0').length, 0)
  assert.deepEqual(await agent.stop(), { undelivered: 0 })
  assert.deepEqual(ack.calls, [{ delivered: 3, rejected: 0 }])
  assert.equal(b.records('fake_out.0').length, 3)
})

test('default in-flight bound: an input without Mem_Buf_Limit waits at it, and the outputs flush at once instead of at the Flush tick', async () => {
  const b = bench()
  const agent = createAgent(
    // Flush 1 h: only the early flush can deliver anything during the test
    makeConfig({
      service: { Flush: 3_600_000 },
      inputs: [{ Name: 'fake_in' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  try {
    const ctx = b.input('fake_in.0')
    const big = 'x'.repeat(10_000)
    let emitted = 0
    while (!ctx.paused && emitted < 10_000) {
      ctx.emit(`t${emitted % 3}`, events(10, emitted, { big }))
      emitted += 10
    }
    assert.equal(ctx.paused, true, 'the input waits at the default bound')
    assert.ok(emitted * big.length >= DEFAULT_IN_FLIGHT_BYTES, `${emitted} records of 10 kB reach the bound`)
    await waitFor(() => b.records('fake_out.0').length === emitted, 'every record flushed long before the Flush tick')
    await waitFor(() => !ctx.paused, 'the input resumed')
    assert.equal(agent.metrics.counter('sluice_input_backpressure_waits_total', '').get({ name: 'fake_in.0' }), 1)
    // quiet: not Fluent Bit's Mem_Buf_Limit pause
    assert.equal(agent.metrics.gauge('fluentbit_input_ingestion_paused', '').get({ name: 'fake_in.0' }), 0)
    assert.ok(!b.log.lines.some((l) => l.includes('paused (mem buf overlimit)')))
  } finally {
    await agent.stop()
  }
})

test('Mem_Buf_Limit keeps Fluent Bit behaviour: the paused input waits for the Flush tick, nothing is flushed early', async () => {
  const b = bench()
  const agent = createAgent(
    makeConfig({
      service: { Flush: 3_600_000, Grace: 1000 },
      inputs: [{ Name: 'fake_in', Mem_Buf_Limit: '20k' }],
      outputs: [{ Name: 'fake_out', Match: '*' }],
    }),
    b.options(),
  )
  await agent.start()
  const ctx = b.input('fake_in.0')
  let emitted = 0
  while (!ctx.paused && emitted < 10_000) {
    ctx.emit('t', events(50, emitted))
    emitted += 50
  }
  assert.equal(ctx.paused, true)
  await new Promise((r) => setTimeout(r, 200))
  assert.equal(b.records('fake_out.0').length, 0, 'no flush before the tick')
  assert.equal(ctx.paused, true)
  await agent.stop()
  assert.equal(b.records('fake_out.0').length, emitted, 'the shutdown drain delivers them')
})
