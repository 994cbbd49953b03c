// The `es` output against the fake Elasticsearch: every case proves which records were delivered,
// retried (and how many times each was sent) or dead-lettered, with no duplicates in the store.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { describeFiles, listFiles, readFileEntries } from '../../dlq/store.ts'
import { errorBody, type FakeEs, faults, itemErrors, startFakeEs } from '../../testing/fake-es.ts'
import { flushUntilSettled, sampleEvents, startOutput } from '../../testing/plugin-harness.ts'
import { esOutputs } from './index.ts'

const es = esOutputs.find((p) => p.name === 'es')!
const opensearch = esOutputs.find((p) => p.name === 'opensearch')!

let tmp: string
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-es-'))
})
after(async () => {
  await rm(tmp, { recursive: true, force: true })
})

let dirN = 0
async function withFake<T>(
  opts: Parameters<typeof startFakeEs>[0],
  fn: (fake: FakeEs, dlq: string) => Promise<T>,
): Promise<T> {
  const fake = await startFakeEs(opts)
  const dlq = join(tmp, `dlq-${dirN++}`)
  try {
    return await fn(fake, dlq)
  } finally {
    await fake.close()
  }
}

const base = (fake: FakeEs, dlq: string, extra: Record<string, string> = {}) => ({
  host: '127.0.0.1',
  port: String(fake.port),
  suppress_type_name: 'on',
  index: 'logs',
  'dlq.path': dlq,
  ...extra,
})

async function dlqEntries(dir: string) {
  const out = []
  for (const f of await listFiles(dir).catch(() => [])) out.push(...(await readFileEntries(f)).entries)
  return out
}

const seqs = (docs: { source: Record<string, unknown> }[]) =>
  docs.map((d) => d.source.seq as number).sort((a, b) => a - b)

test('mixed per-item results: 429 and 503 items retried alone, the mapping error dead-lettered, the rest delivered once', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.itemFault = ({ request, position }) => {
      if (request !== 1) return undefined
      if (position === 2) return itemErrors.rejected()
      if (position === 5) return itemErrors.unavailableShard()
      if (position === 7) return itemErrors.mapperParsing('seq')
      return undefined
    }
    const h = await startOutput(es, base(fake, dlq, { generate_id: 'on' }))
    const events = sampleEvents(10)
    const first = await h.flush(events, 'kube.app')
    assert.equal(first.kind, 'partial')
    if (first.kind !== 'partial') return
    assert.deepEqual(
      first.retry.map((e) => e.body.seq),
      [2, 5],
    )
    assert.deepEqual(
      first.rejected.map((r) => r.event.body.seq),
      [7],
    )
    assert.match(first.rejected[0]!.reason, /400 mapper_parsing_exception: failed to parse field \[seq\]/)
    const second = await h.flush(first.retry, 'kube.app')
    assert.equal(second.kind, 'ok')
    // the retry request carried exactly the two retried records
    assert.equal(fake.requests.length, 2)
    assert.equal(fake.requests[1]!.items.length, 2)
    assert.deepEqual(seqs(fake.docs('logs')), [0, 1, 2, 3, 4, 5, 6, 8, 9])
    const letters = await dlqEntries(dlq)
    assert.equal(letters.length, 1)
    assert.equal(letters[0]!.record.body.seq, 7)
    assert.equal(letters[0]!.tag, 'kube.app')
    assert.equal(letters[0]!.index, 'logs')
    assert.equal(letters[0]!.status, 400)
    assert.equal(letters[0]!.error_type, 'mapper_parsing_exception')
    assert.equal(letters[0]!.record.sec, events[7]!.sec)
    assert.equal(h.metrics.counter('sluice_dlq_records_total', '').get({ name: 'es.0' }), 1)
    assert.equal(h.metrics.counter('sluice_es_records_total', '').get({ name: 'es.0', outcome: 'retried' }), 2)
    assert.ok(
      h.ctx.log.lines.some((l) => /dead-lettered 1 record\(s\) of tag kube.app .*mapper_parsing_exception/.test(l)),
    )
    await h.stop()
  })
})

test('whole-request 429 is retried with the Retry-After delay, then delivered once', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.failNext(faults.tooManyRequests(7))
    const h = await startOutput(es, base(fake, dlq))
    const s = await flushUntilSettled(h, sampleEvents(5), 'app')
    assert.deepEqual(s.attempts, [5, 5])
    assert.equal(s.results[0]!.kind, 'retry')
    assert.equal(s.results[0]!.kind === 'retry' && s.results[0]!.retryAfterMs, 7000)
    assert.match(s.results[0]!.kind === 'retry' ? s.results[0]!.reason : '', /429 es_rejected_execution_exception/)
    assert.equal(s.results[1]!.kind, 'ok')
    assert.deepEqual(seqs(fake.docs()), [0, 1, 2, 3, 4])
    await h.stop()
  })
})

test('5xx and connection reset retry the whole batch; nothing was applied, nothing is duplicated', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.failNext(faults.unavailable(), { kind: 'reset' }, faults.internal())
    const h = await startOutput(es, base(fake, dlq))
    const s = await flushUntilSettled(h, sampleEvents(4), 'app')
    assert.deepEqual(
      s.results.map((r) => r.kind),
      ['retry', 'retry', 'retry', 'ok'],
    )
    assert.match(s.results[1]!.kind === 'retry' ? s.results[1]!.reason : '', /connection error/)
    assert.deepEqual(seqs(fake.docs()), [0, 1, 2, 3])
    await h.stop()
  })
})

test('413: the batch is split in halves until each part fits; a single oversize record is dead-lettered', async () => {
  await withFake({ maxContentLength: 700 }, async (fake, dlq) => {
    const h = await startOutput(es, base(fake, dlq))
    const events = sampleEvents(8)
    events.push({ sec: 1_763_800_100, nsec: 0, body: { seq: 99, log: 'x'.repeat(2000) } })
    const r = await h.flush(events, 'app')
    assert.equal(r.kind, 'partial')
    if (r.kind !== 'partial') return
    assert.equal(r.retry.length, 0)
    assert.deepEqual(
      r.rejected.map((x) => x.event.body.seq),
      [99],
    )
    assert.match(r.rejected[0]!.reason, /413/)
    assert.deepEqual(seqs(fake.docs()), [0, 1, 2, 3, 4, 5, 6, 7])
    for (const req of fake.requests) if (req.items.length) assert.ok(req.bytes <= 700)
    assert.equal((await dlqEntries(dlq)).length, 1)
    await h.stop()
  })
})

test('401 names the user in use, never the password; the records are dead-lettered for a replay', async () => {
  await withFake({ auth: { users: { elastic: 'right-secret' } } }, async (fake, dlq) => {
    const h = await startOutput(es, base(fake, dlq, { http_user: 'elastic', http_passwd: 'wrong-secret' }))
    const r = await h.flush(sampleEvents(3), 'app')
    assert.equal(r.kind, 'error')
    const reason = r.kind === 'error' ? r.reason : ''
    assert.match(reason, /authentication failed with HTTP_User 'elastic'/)
    assert.match(reason, /401 security_exception: unable to authenticate user \[elastic\]/)
    assert.doesNotMatch(reason, /secret/)
    assert.ok(!h.ctx.log.lines.some((l) => l.includes('wrong-secret')))
    assert.equal(fake.count(), 0)
    const letters = await dlqEntries(dlq)
    assert.equal(letters.length, 3)
    assert.equal(letters[0]!.status, 401)
    await h.stop()
  })
})

test('401 with an API key names the key id only', async () => {
  await withFake({ auth: { apiKeys: { 'key-id-1': 'k' } } }, async (fake, dlq) => {
    const apiKey = Buffer.from('key-id-1:bad').toString('base64')
    const h = await startOutput(es, base(fake, dlq, { http_api_key: apiKey }))
    const r = await h.flush(sampleEvents(1), 'app')
    assert.equal(r.kind, 'error')
    assert.match(r.kind === 'error' ? r.reason : '', /HTTP_API_Key with id 'key-id-1'/)
    assert.doesNotMatch(r.kind === 'error' ? r.reason : '', /bad|a2V5/)
    const good = await startOutput(es, base(fake, dlq, { http_api_key: Buffer.from('key-id-1:k').toString('base64') }))
    assert.equal((await good.flush(sampleEvents(2), 'app')).kind, 'ok')
    assert.equal(fake.count(), 2)
    await h.stop()
    await good.stop()
  })
})

test('response cut short (Buffer_Size trap): items it settled are not resent; the rest retry idempotently with Generate_ID', async () => {
  await withFake({}, async (fake, dlq) => {
    // the first response stops in the middle of the items array
    fake.failNext({ kind: 'truncate', bytes: 900, mode: 'cut' })
    const h = await startOutput(es, base(fake, dlq, { generate_id: 'on' }))
    const events = sampleEvents(10)
    const first = await h.flush(events, 'app')
    assert.equal(first.kind, 'partial')
    if (first.kind !== 'partial') return
    const settled = 10 - first.retry.length
    assert.ok(settled > 0 && settled < 10, `some items readable (${settled})`)
    // the retried records are exactly the ones after the cut
    assert.deepEqual(
      first.retry.map((e) => e.body.seq),
      events.slice(settled).map((e) => e.body.seq),
    )
    const second = await h.flush(first.retry, 'app')
    assert.equal(second.kind, 'ok')
    // they had been stored by the first request: create answered 409, counted as already delivered
    assert.ok(fake.requests[1]!.items.every((i) => i.status === 409))
    assert.equal(fake.count(), 10)
    assert.equal(
      h.metrics.counter('sluice_es_records_total', '').get({ name: 'es.0', outcome: 'duplicate' }),
      10 - settled,
    )
    await h.stop()
  })
})

test('response shortened but complete-looking (proxy cap): the same salvage, no duplicates', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.failNext({ kind: 'truncate', bytes: 1500, mode: 'short' })
    const h = await startOutput(es, base(fake, dlq, { generate_id: 'on' }))
    const s = await flushUntilSettled(h, sampleEvents(12), 'app')
    assert.equal(s.pending.length, 0)
    assert.equal(s.rejected.length, 0)
    assert.equal(fake.count(), 12)
    assert.ok(s.attempts[1]! < 12, 'only the unsettled records were re-sent')
    await h.stop()
  })
})

test('errors:false with fewer item results than records sent: the listed ones count, the rest are retried', async () => {
  await withFake({}, async (fake, dlq) => {
    // A server (or a proxy) that answers success for one item of three: the count does not match, so
    // the response is read item by item instead of being taken as "all delivered".
    fake.failNext({
      kind: 'status',
      status: 200,
      body: { took: 1, errors: false, items: [{ create: { _index: 'logs', _id: 'x', status: 201 } }] },
    })
    const h = await startOutput(es, base(fake, dlq))
    const events = sampleEvents(3)
    const r = await h.flush(events, 'app')
    assert.equal(r.kind, 'partial')
    if (r.kind !== 'partial') return
    assert.deepEqual(
      r.retry.map((e) => e.body.seq),
      events.slice(1).map((e) => e.body.seq),
    )
    assert.equal(h.metrics.counter('sluice_es_records_total', '').get({ name: 'es.0', outcome: 'delivered' }), 1)
    assert.equal(h.metrics.counter('sluice_es_records_total', '').get({ name: 'es.0', outcome: 'retried' }), 2)
    const second = await h.flush(r.retry, 'app')
    assert.equal(second.kind, 'ok')
    assert.equal(fake.count(), 2)
    assert.equal(h.metrics.counter('sluice_es_records_total', '').get({ name: 'es.0', outcome: 'delivered' }), 3)
    await h.stop()
  })
})

test('connection lost after the server applied the request: with Generate_ID the retry is idempotent', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.failNext({ kind: 'reset-after-apply' })
    const h = await startOutput(es, base(fake, dlq, { generate_id: 'on' }))
    const s = await flushUntilSettled(h, sampleEvents(6), 'app')
    assert.deepEqual(
      s.results.map((r) => r.kind),
      ['retry', 'ok'],
    )
    assert.equal(fake.count(), 6)
    await h.stop()
  })
})

test('connection lost after the server applied the request: without ids the retry duplicates (documented, counted)', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.failNext({ kind: 'reset-after-apply' })
    const h = await startOutput(es, base(fake, dlq))
    const s = await flushUntilSettled(h, sampleEvents(6), 'app')
    assert.deepEqual(
      s.results.map((r) => r.kind),
      ['retry', 'ok'],
    )
    assert.equal(fake.count(), 12)
    assert.equal(
      h.metrics.counter('sluice_es_records_total', '').get({ name: 'es.0', outcome: 'unconfirmed_retry' }),
      6,
    )
    await h.stop()
  })
})

test('Id_Key with create: a record already stored answers 409 and counts as delivered', async () => {
  await withFake({}, async (fake, dlq) => {
    const h = await startOutput(es, base(fake, dlq, { id_key: 'uid' }))
    const events = sampleEvents(3, 1_763_800_000, (i) => ({ uid: `u${i}` }))
    assert.equal((await h.flush(events, 'app')).kind, 'ok')
    assert.equal((await h.flush(events, 'app')).kind, 'ok')
    assert.equal(fake.count(), 3)
    assert.equal(fake.get('logs', 'u1')!.source.seq, 1)
    await h.stop()
  })
})

test('dotted label keys: without a template the second shape is dead-lettered (seed 004 issue 3)', async () => {
  await withFake({}, async (fake, dlq) => {
    const h = await startOutput(es, base(fake, dlq, { generate_id: 'on' }))
    const r = await h.flush(
      [
        { sec: 1, nsec: 0, body: { kubernetes: { labels: { app: 'web' } } } },
        { sec: 2, nsec: 0, body: { kubernetes: { labels: { 'app.kubernetes.io/name': 'api' } } } },
      ],
      'kube',
    )
    assert.equal(r.kind, 'partial')
    assert.match(
      r.kind === 'partial' ? r.rejected[0]!.reason : '',
      /document_parsing_exception: Could not dynamically add mapping for field \[kubernetes.labels.app.kubernetes.io\/name\]/,
    )
    assert.equal(fake.count(), 1)
    await h.stop()
  })
})

test('Index_Template On: Elasticsearch 8 gets subobjects:false on label objects, and both shapes are stored', async () => {
  await withFake({}, async (fake, dlq) => {
    const h = await startOutput(
      es,
      base(fake, dlq, {
        index_template: 'on',
        logstash_format: 'on',
        logstash_prefix: 'k8s',
        index_template_patterns: 'k8s-*, ns-*',
      }),
    )
    const r = await h.flush(
      [
        { sec: 1, nsec: 0, body: { kubernetes: { labels: { app: 'web' } } } },
        {
          sec: 2,
          nsec: 0,
          body: {
            kubernetes: { labels: { 'app.kubernetes.io/name': 'api', app: 'x' }, annotations: { 'a.b/c': 'd' } },
          },
        },
      ],
      'kube',
    )
    assert.equal(r.kind, 'ok')
    assert.equal(fake.count(), 2)
    const t = fake.templates.get('sluice-k8s') as any
    assert.deepEqual(t.index_patterns, ['k8s-*', 'ns-*'])
    assert.deepEqual(t.template.mappings.properties.kubernetes.properties.labels, { type: 'object', subobjects: false })
    assert.ok(h.ctx.log.lines.some((l) => /index template sluice-k8s installed on elasticsearch 8.15.0/.test(l)))
    await h.stop()
  })
})

test('Index_Template on OpenSearch 2.11 uses flat_object; on Elasticsearch 7.10 flattened (legacy-free composable)', async () => {
  await withFake({ flavor: 'opensearch' }, async (fake, dlq) => {
    const h = await startOutput(opensearch, base(fake, dlq, { index_template: 'my-template' }))
    const r = await h.flush(
      [
        { sec: 1, nsec: 0, body: { kubernetes: { labels: { app: 'web' } } } },
        { sec: 2, nsec: 0, body: { kubernetes: { labels: { 'app.kubernetes.io/name': 'api' } } } },
      ],
      'kube',
    )
    assert.equal(r.kind, 'ok')
    const t = fake.templates.get('my-template') as any
    assert.deepEqual(t.template.mappings.properties.kubernetes.properties.labels, { type: 'flat_object' })
    assert.deepEqual(t.index_patterns, ['logs', 'logs-*'])
    await h.stop()
  })
  await withFake({ version: '7.10.2' }, async (fake, dlq) => {
    const h = await startOutput(es, base(fake, dlq, { index_template: 'on' }))
    assert.equal((await h.flush(sampleEvents(1), 'kube')).kind, 'ok')
    const t = fake.templates.get('sluice-logs') as any
    assert.deepEqual(t.template.mappings.properties.kubernetes.properties.labels, { type: 'flattened' })
    await h.stop()
  })
})

test('_type refused by Elasticsearch 8: an error that says to set Suppress_Type_Name, records kept in the DLQ', async () => {
  await withFake({}, async (fake, dlq) => {
    const h = await startOutput(es, { ...base(fake, dlq), suppress_type_name: 'off' })
    const r = await h.flush(sampleEvents(2), 'app')
    assert.equal(r.kind, 'error')
    assert.match(r.kind === 'error' ? r.reason : '', /unknown parameter \[_type\].*Suppress_Type_Name On/)
    assert.equal((await describeFiles(dlq))[0]!.entries, 2)
    await h.stop()
  })
})

test('gzip, Path prefix and Pipeline reach the server as Fluent Bit sends them', async () => {
  await withFake({}, async (fake, dlq) => {
    const h = await startOutput(es, base(fake, dlq, { compress: 'gzip', path: '/es/', pipeline: 'geoip' }))
    assert.equal((await h.flush(sampleEvents(3), 'app')).kind, 'ok')
    const req = fake.requests[0]!
    assert.equal(req.path, '/es/_bulk')
    assert.equal(req.query.get('pipeline'), 'geoip')
    assert.equal(req.headers['content-encoding'], 'gzip')
    assert.equal(req.headers['content-type'], 'application/x-ndjson')
    assert.equal(fake.count(), 3)
    await h.stop()
  })
})

test('a whole-request 400 that is not about _type is an error with the server reason', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.failNext({
      kind: 'status',
      status: 400,
      body: errorBody(400, 'illegal_argument_exception', 'pipeline with id [x] does not exist'),
    })
    const h = await startOutput(es, base(fake, dlq))
    const r = await h.flush(sampleEvents(1), 'app')
    assert.equal(r.kind, 'error')
    assert.match(r.kind === 'error' ? r.reason : '', /pipeline with id \[x\] does not exist/)
    await h.stop()
  })
})

test('without dlq.path, refused records fall back to <storage.path>/rejected/<instance>', async () => {
  await withFake({}, async (fake) => {
    const storage = join(tmp, 'storage')
    fake.itemFault = ({ position }) => (position === 0 ? itemErrors.mapperParsing('x') : undefined)
    const opts: Record<string, string> = { host: '127.0.0.1', port: String(fake.port), suppress_type_name: 'on' }
    const h = await startOutput(es, opts, { storagePath: storage })
    await h.flush(sampleEvents(2), 'app')
    assert.equal((await dlqEntries(join(storage, 'rejected', 'es.0'))).length, 1)
    await h.stop()
  })
})

test('dlq.max_size: records past the cap are counted and logged, not written', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.itemFault = () => itemErrors.mapperParsing('seq')
    const h = await startOutput(es, base(fake, dlq, { 'dlq.max_size': '1k' }))
    const r = await h.flush(sampleEvents(10), 'app')
    assert.equal(r.kind, 'partial')
    const kept = (await dlqEntries(dlq)).length
    assert.ok(kept > 0 && kept < 10)
    assert.equal(h.metrics.counter('sluice_dlq_dropped_records_total', '').get({ name: 'es.0' }), 10 - kept)
    assert.ok(h.ctx.log.lines.some((l) => /dead-letter queue .* is full/.test(l)))
    await h.stop()
  })
})

test('fake Elasticsearch: _search reads back stored documents (for other tests reusing it)', async () => {
  await withFake({}, async (fake, dlq) => {
    const h = await startOutput(es, base(fake, dlq, { logstash_format: 'on', logstash_prefix: 'rb' }))
    assert.equal((await h.flush(sampleEvents(3), 'app')).kind, 'ok')
    const r = (await (
      await fetch(`${fake.url}/rb-*/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"size":2}',
      })
    ).json()) as { hits: { total: { value: number }; hits: { _source: { seq: number } }[] } }
    assert.equal(r.hits.total.value, 3)
    assert.equal(r.hits.hits.length, 2)
    await h.stop()
  })
})

test('Generate_ID: two identical records (same tag, time and content) are both stored, and a retry duplicates neither', async () => {
  await withFake({}, async (fake, dlq) => {
    fake.itemFault = ({ request, position }) => (request === 1 && position === 1 ? itemErrors.rejected() : undefined)
    const h = await startOutput(es, base(fake, dlq, { generate_id: 'on' }))
    const twin = () => ({ sec: 1_763_800_000, nsec: 0, body: { log: 'GET /healthz 200' } })
    const s = await flushUntilSettled(h, [twin(), twin(), twin()], 'app')
    assert.deepEqual(s.attempts, [3, 1])
    assert.equal(fake.count(), 3)
    await h.stop()
  })
})

test('configuration mistakes are precise errors at start', async () => {
  await assert.rejects(
    startOutput(es, { host: 'https://search-x.es.amazonaws.com' }),
    /invalid host 'https:\/\/search-x.es.amazonaws.com': .*set tls On/,
  )
  await assert.rejects(
    startOutput(es, { write_operation: 'upsert' }),
    /write_operation upsert needs Id_Key or Generate_ID/,
  )
  await assert.rejects(startOutput(es, { aws_auth: 'on' }), /aws_auth On needs aws_region/)
  await assert.rejects(startOutput(es, { buffer_size: 'lots' }), /invalid buffer_size 'lots'/)
  await assert.rejects(
    startOutput(es, { write_operation: 'merge' }),
    /'merge' is not one of create, index, update, upsert/,
  )
})
