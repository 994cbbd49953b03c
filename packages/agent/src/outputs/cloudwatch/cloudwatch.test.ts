// The cloudwatch_logs output against a fake CloudWatch Logs (testing/fake-cloudwatch.ts: the AWS API
// cannot run here; the fake speaks its documented JSON 1.1 wire format and limits).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import { type FakeCloudwatch, startFakeCloudwatch } from '../../testing/fake-cloudwatch.ts'
import { flushUntilSettled, startOutput } from '../../testing/plugin-harness.ts'
import { batches, MAX_MESSAGE_BYTES, toEvents } from './events.ts'
import { cloudwatchOutput } from './index.ts'

// static test credentials for the AWS default chain (its environment provider comes first)
process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
delete process.env.AWS_PROFILE
delete process.env.AWS_ROLE_ARN

const rec = (sec: number, body: Record<string, unknown>): LogEvent => ({ sec, nsec: 5_000_000, body })
const NOW_S = Math.floor(Date.now() / 1000)

describe('records to PutLogEvents calls (events.ts)', () => {
  test('whole record as JSON, or Log_Key: a string as it is, other values as JSON; missing key and empty message rejected', () => {
    const rs = [rec(1, { log: 'a', n: 1 }), rec(2, { log: { x: 1 } }), rec(3, { other: 1 }), rec(4, { log: '' })]
    const whole = toEvents(rs, undefined)
    assert.deepEqual(
      whole.events.map((e) => [e.timestamp, e.message]),
      [
        [1005, '{"log":"a","n":1}'],
        [2005, '{"log":{"x":1}}'],
        [3005, '{"other":1}'],
        [4005, '{"log":""}'],
      ],
    )
    const byKey = toEvents(rs, 'log')
    assert.deepEqual(
      byKey.events.map((e) => e.message),
      ['a', '{"x":1}'],
    )
    assert.deepEqual(
      byKey.rejected.map((r) => r.reason),
      ["the record has no 'log' key (Log_Key)", 'empty message (CloudWatch Logs refuses empty events)'],
    )
  })

  test('a message over 256 KiB − 26 bytes is cut on a character boundary and counted', () => {
    const big = 'é'.repeat(MAX_MESSAGE_BYTES) // 2 bytes each
    const c = toEvents([rec(1, { log: big })], 'log')
    assert.equal(c.truncated, 1)
    const m = c.events[0]!.message
    assert.ok(Buffer.byteLength(m) <= MAX_MESSAGE_BYTES)
    assert.ok(Buffer.byteLength(m) >= MAX_MESSAGE_BYTES - 1)
    assert.ok(!m.includes('\ufffd'), 'no broken character')
  })

  test('calls are sorted by time (stable) and cut at 10,000 events, 1,048,576 bytes and 24 hours', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => rec(100 + (i % 7), { i }))
    const calls = batches(toEvents(many, undefined).events)
    assert.deepEqual(
      calls.map((c) => c.length),
      [10_000, 1],
    )
    for (const c of calls) for (let i = 1; i < c.length; i++) assert.ok(c[i]!.timestamp >= c[i - 1]!.timestamp)
    // equal times keep their input order
    const same = calls[0]!.filter((e) => e.timestamp === 100_005).map((e) => (e.source.body as { i: number }).i)
    assert.deepEqual(
      same,
      [...same].sort((a, b) => a - b),
    )
    // 4 × (260,000 + 26) bytes fit in 1,048,576; a fifth does not
    const heavy = Array.from({ length: 5 }, (_, i) => rec(1, { log: 'x'.repeat(260_000), i }))
    assert.deepEqual(
      batches(toEvents(heavy, 'log').events).map((c) => c.length),
      [4, 1],
    )
    const span = [rec(0, { a: 1 }), rec(86_400, { a: 2 }), rec(86_401, { a: 3 })]
    assert.deepEqual(
      batches(toEvents(span, undefined).events).map((c) => c.length),
      [2, 1],
    )
  })
})

describe('cloudwatch_logs against a fake CloudWatch Logs', () => {
  let cw: FakeCloudwatch
  before(async () => {
    cw = await startFakeCloudwatch('ap-northeast-2')
  })
  after(async () => {
    await cw.close()
  })

  const fixedStream = (name: string) => {
    const { log_stream_prefix: _, ...o } = seed001()
    return { ...o, log_stream_name: name }
  }
  // seed 001's output.conf, pointed at the fake
  const seed001 = () => ({
    region: 'ap-northeast-2',
    log_group_name: 'foofoo',
    log_stream_prefix: 'from-fluent-bit-',
    log_retention_days: '60',
    auto_create_group: 'true',
    endpoint: cw.url,
  })

  test("seed 001: the group is created with 60 days' retention, the stream is prefix + tag, every record stored in order", async () => {
    const h = await startOutput(cloudwatchOutput, seed001())
    try {
      const rs = [3, 1, 2].map((i) => rec(NOW_S - 60 + i, { log: `line ${i}`, stream: 'stdout' }))
      const r = await h.flush(rs, 'kube.var.log.containers.app.log')
      assert.deepEqual(r, { kind: 'ok' })
      const g = cw.groups.get('foofoo')!
      assert.equal(g.retentionInDays, 60)
      const stored = g.streams.get('from-fluent-bit-kube.var.log.containers.app.log')!
      assert.deepEqual(
        stored.map((e) => JSON.parse(e.message).log),
        ['line 1', 'line 2', 'line 3'],
      )
      assert.deepEqual(
        cw.calls.map((c) => c.action),
        ['CreateLogStream', 'CreateLogGroup', 'PutRetentionPolicy', 'CreateLogStream', 'PutLogEvents'],
      )
      assert.equal(cw.calls[0]!.headers['x-amz-target'], 'Logs_20140328.CreateLogStream')
      // the stream is known now: the next flush only puts
      cw.calls.length = 0
      assert.deepEqual(await h.flush([rec(NOW_S, { log: 'more' })], 'kube.var.log.containers.app.log'), { kind: 'ok' })
      assert.deepEqual(
        cw.calls.map((c) => c.action),
        ['PutLogEvents'],
      )
    } finally {
      await h.stop()
    }
    // a new instance finds the stream there already: one CreateLogStream (not repeated), then the put
    const again = await startOutput(cloudwatchOutput, seed001())
    try {
      cw.calls.length = 0
      assert.deepEqual(await again.flush([rec(NOW_S, { log: 'restart' })], 'kube.var.log.containers.app.log'), {
        kind: 'ok',
      })
      assert.deepEqual(
        cw.calls.map((c) => c.action),
        ['CreateLogStream', 'PutLogEvents'],
      )
    } finally {
      await again.stop()
    }
  })

  test('a missing group without auto_create_group is retried with a clear reason; throttling and 5xx are retried, then delivered', async () => {
    const h = await startOutput(cloudwatchOutput, {
      ...seed001(),
      log_group_name: 'absent',
      auto_create_group: 'false',
    })
    try {
      const r = await h.flush([rec(NOW_S, { log: 'x' })], 't')
      assert.equal(r.kind, 'retry')
      assert.match(
        (r as { reason: string }).reason,
        /log group absent does not exist \(create it, or set auto_create_group On\)/,
      )
    } finally {
      await h.stop()
    }
    const h2 = await startOutput(cloudwatchOutput, { ...seed001(), auto_retry_requests: 'false' })
    try {
      cw.failNext('PutLogEvents', 'ThrottlingException', 400)
      cw.failNext('PutLogEvents', 'ServiceUnavailableException', 503)
      const settled = await flushUntilSettled(h2, [rec(NOW_S, { log: 'throttled' })], 'th')
      assert.deepEqual(
        settled.results.map((x) => x.kind),
        ['retry', 'retry', 'ok'],
      )
      assert.match((settled.results[0] as { reason: string }).reason, /ThrottlingException \(HTTP 400\)/)
      assert.equal(cw.groups.get('foofoo')!.streams.get('from-fluent-bit-th')!.length, 1)
    } finally {
      await h2.stop()
    }
  })

  test('events the service refuses (too old, too new) are rejected with the reason; the rest delivered; a deleted stream is created again', async () => {
    const h = await startOutput(cloudwatchOutput, fixedStream('fixed'))
    try {
      const rs = [
        rec(NOW_S - 20 * 86_400, { log: 'ancient' }),
        rec(NOW_S, { log: 'now' }),
        rec(NOW_S + 3 * 3600, { log: 'future' }),
      ]
      const r = await h.flush(rs, 't')
      assert.equal(r.kind, 'partial')
      const p = r as Extract<typeof r, { kind: 'partial' }>
      assert.deepEqual(p.retry, [])
      assert.deepEqual(
        p.rejected.map((x) => [(x.event.body as { log: string }).log, x.reason]),
        [
          ['ancient', 'refused by CloudWatch Logs: older than 14 days (or than the log group creation)'],
          ['future', 'refused by CloudWatch Logs: more than 2 hours in the future'],
        ],
      )
      assert.deepEqual(
        cw.groups
          .get('foofoo')!
          .streams.get('fixed')!
          .map((e) => JSON.parse(e.message).log),
        ['now'],
      )
      cw.groups.get('foofoo')!.streams.delete('fixed')
      assert.deepEqual(await h.flush([rec(NOW_S, { log: 'after delete' })], 't'), { kind: 'ok' })
      assert.equal(cw.groups.get('foofoo')!.streams.get('fixed')!.length, 1)
    } finally {
      await h.stop()
    }
  })

  test('an invalid request is rejected for good with the service message; auto_retry_requests retries a throttled call at once', async () => {
    const h = await startOutput(cloudwatchOutput, fixedStream('bad'))
    try {
      cw.failNext('PutLogEvents', 'InvalidParameterException', 400)
      const r = await h.flush([rec(NOW_S, { log: 'x' })], 't')
      assert.equal(r.kind, 'partial')
      assert.match((r as { reason: string }).reason, /InvalidParameterException \(HTTP 400\): injected/)
      cw.failNext('PutLogEvents', 'ThrottlingException', 400)
      assert.deepEqual(await h.flush([rec(NOW_S, { log: 'y' })], 't'), { kind: 'ok' }, 'retried once within the flush')
    } finally {
      await h.stop()
    }
  })

  test('requests are signed for service logs in the region (SigV4) with the JSON 1.1 content type', () => {
    const c = cw.calls.at(-1)!
    assert.match(
      String(c.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-northeast-2\/logs\/aws4_request/,
    )
    assert.equal(c.headers['content-type'], 'application/x-amz-json-1.1')
    assert.ok(c.headers['x-amz-date'])
  })
})
