import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { http, ndjson, postJson, type TestServer, testServer } from '../testing.ts'
import { type BulkOutcome, bulkResponse, renderBulk } from './bulk.ts'
import { type BulkOp, invalidIndexName, parseBulk, SuffixCache } from './bulk-parse.ts'

const NDJSON = { 'content-type': 'application/x-ndjson' }

describe('parseBulk (Elasticsearch Bulk API body)', () => {
  test('index, create with _id, delete without source, path index, blank lines', () => {
    const ops = parseBulk(
      Buffer.from(
        ndjson([{ index: {} }, { a: 1 }, '', { create: { _index: 'x', _id: 7 } }, { b: 2 }, { delete: { _id: '3' } }]),
      ),
      'dflt',
    )
    assert.deepEqual(
      ops.map((o) => [o.action, o.index, o.id, o.doc]),
      [
        ['index', 'dflt', undefined, { a: 1 }],
        ['create', 'x', '7', { b: 2 }],
        ['delete', 'dflt', '3', undefined],
      ],
    )
  })
  test('a bad source line fails only its item', () => {
    const ops = parseBulk(
      Buffer.from(ndjson([{ index: {} }, 'nope', { index: {} }, '[1]', { index: {} }, { ok: true }])),
      'i',
    )
    assert.match(ops[0]!.docError!, /^\[2:1\] failed to parse/)
    assert.match(ops[1]!.docError!, /not a JSON object/)
    assert.deepEqual(ops[2]!.doc, { ok: true })
  })
  test('a malformed action line fails the whole request with 400', () => {
    assert.throws(
      () => parseBulk(Buffer.from('{"index":{}\n{}\n'), 'i'),
      (e: any) => e.status === 400 && /line \[1\]/.test(e.message),
    )
    assert.throws(
      () => parseBulk(Buffer.from(ndjson([{ upsert: {} }, {}])), 'i'),
      (e: any) =>
        e.status === 400 &&
        /expected field \[create\], \[delete\], \[index\] or \[update\] but found \[upsert\]/.test(e.message),
    )
    assert.throws(
      () => parseBulk(Buffer.from('{"index":{}}'), 'i'),
      (e: any) => e.status === 400 && /terminated by a newline/.test(e.message),
    )
  })
  test('source lines split at a cached "kubernetes": tail parse exactly as JSON.parse of the whole line', () => {
    const k = '"kubernetes":{"pod_name":"p-1","labels":{"app":"a"},"host":"n1"}'
    const lines = [
      `{"log":"x",${k}}`,
      `{"log":"y",${k}}`, // same tail: from the cache
      `{${k}}`, // no head members
      `{ "log" : "z" , \t${k}}  `, // whitespace around the comma and after the object
      `{"kubernetes":{"pod_name":"old"},"log":"w",${k}}`, // a duplicate key keeps the first place, the last value
      `{"log":"v",${k},"after":1}`, // a key after the tail
      `{"meta":{"kubernetes":{"a":1}},"log":"u",${k}}`, // the first "kubernetes": is nested
      `{"nested":{${k}}}`, // only nested, ending like a cached tail
      String.raw`{"msg":"say \"kubernetes\":{ here",` + `${k}}`, // inside a string, escaped
      String.raw`{"a\"kubernetes":{"x":1},"b":2}`, // inside a key
      `{"log":"t","kubernetes":7}`, // not an object
      `{"log":"s","kubernetes":[1]}`,
      `{"log":"r",${k.slice(0, -1)},"__proto__":{"polluted":true}}}`,
      `{"log":"q","kubernetes":{"__proto__":{"x":1},"pod_name":"p"}}`,
      String.raw`{"log":"é ☃ \ud83d\ude00 \ud800",` + `${k}}`,
    ]
    const cache = new SuffixCache()
    const body = Buffer.from(lines.flatMap((l) => ['{"index":{}}', l]).join('\n') + '\n')
    for (let round = 0; round < 2; round++) {
      // the JSON path (lines this test has that source-transcode.ts would take are compared in its own test)
      const ops = parseBulk(body, 'i', cache, false)
      assert.equal(ops.length, lines.length)
      ops.forEach((op, i) => {
        const want = JSON.parse(lines[i]!)
        assert.deepEqual(op.doc, want, lines[i])
        assert.deepEqual(Object.keys(op.doc!), Object.keys(want), lines[i])
        assert.equal(Object.getPrototypeOf(op.doc), Object.prototype)
        assert.equal(JSON.stringify(op.doc), JSON.stringify(want), lines[i])
      })
      // one parsed tail serves every line that ends with it
      assert.equal(ops[0]!.doc!.kubernetes, ops[1]!.doc!.kubernetes)
    }
    // 4 distinct tails split (k, k with trailing spaces, the two with __proto__ inside); the key-after
    // and non-object lines are parsed whole; the duplicate-key and nested lines split at their last
    // "kubernetes": found by a known tail length
    assert.equal(cache.misses, 4)
    assert.equal(cache.hits, 16)
  })
  test('lines that are not JSON objects fail alone also when they end like a cached tail', () => {
    const k = '"kubernetes":{"pod_name":"p"}'
    const cache = new SuffixCache()
    const lines = [
      `{"a":1,${k}}`,
      `{,${k}}`,
      `{"a":1,,${k}}`,
      `[1,${k}}`,
      `{"a":1,${k}}}`,
      `{"a":1,${k}} x`,
      `{"a":${k}}`,
    ]
    const ops = parseBulk(Buffer.from(lines.flatMap((l) => ['{"index":{}}', l]).join('\n') + '\n'), 'i', cache)
    assert.deepEqual(ops[0]!.doc, { a: 1, kubernetes: { pod_name: 'p' } })
    for (const op of ops.slice(1)) {
      assert.equal(op.doc, undefined)
      assert.match(op.docError!, /failed to parse/)
    }
  })
  test('tails that differ in one byte are told apart, also when many share a sampled hash', () => {
    const cache = new SuffixCache()
    // 300 pods whose metadata differs only in one short name: most of them in one hash bucket
    const docs = Array.from({ length: 1200 }, (_, i) => ({
      log: `l${i}`,
      kubernetes: { pod_name: `pod-${i % 300}`, labels: { app: 'same' }, image: 'registry/x:1' },
    }))
    const body = Buffer.from(docs.flatMap((d) => ['{"index":{}}', JSON.stringify(d)]).join('\n') + '\n')
    for (let round = 0; round < 2; round++)
      assert.deepEqual(
        parseBulk(body, 'i', cache, false).map((o) => o.doc),
        docs,
      )
    assert.equal(cache.misses, 300)
    assert.equal(cache.hits, 2100)
  })
  test('the tail cache is bounded; a hash collision is told apart by the bytes', () => {
    const cache = new SuffixCache(3)
    const docs = Array.from({ length: 10 }, (_, i) => ({ n: i, kubernetes: { pod_name: `p${i % 5}` } }))
    const ops = parseBulk(
      Buffer.from(docs.flatMap((d) => ['{"index":{}}', JSON.stringify(d)]).join('\n') + '\n'),
      'i',
      cache,
    )
    assert.deepEqual(
      ops.map((o) => o.doc),
      docs,
    )
  })
  test('index names follow Elasticsearch rules', () => {
    assert.equal(invalidIndexName('logs-2026.11.22'), undefined)
    assert.equal(invalidIndexName('fluent-bit'), undefined)
    assert.match(invalidIndexName('Logs')!, /lowercase/)
    assert.match(invalidIndexName('_x')!, /must not start/)
    assert.match(invalidIndexName('a b')!, /must not contain/)
  })
})

test('renderBulk (template fast path) writes exactly what JSON.stringify of bulkResponse would', () => {
  // every kind of item: new documents without an _id (only a sequence number, under two actions and
  // two indices), one with an _id that needs escaping, a failure, a replacement (version 2)
  const ops: BulkOp[] = [
    { action: 'create', index: 'logs-1', id: undefined },
    { action: 'create', index: 'logs-1', id: 'a"b' },
    { action: 'index', index: 'x', id: undefined },
    { action: 'index', index: 'logs-1', id: '2' },
    { action: 'index', index: 'logs-1', id: undefined },
    { action: 'create', index: 'logs-"2', id: undefined },
    { action: 'create', index: 'logs-한글', id: undefined },
    { action: 'index', index: 'x', id: undefined },
  ]
  const shards = { total: 1, successful: 1, failed: 0 }
  const o: BulkOutcome = {
    took: 3,
    errors: true,
    stored: 5,
    ops,
    items: [
      undefined,
      {
        _index: 'logs-1',
        _id: 'a"b',
        _version: 1,
        result: 'created',
        _shards: shards,
        _seq_no: 7,
        _primary_term: 1,
        status: 201,
      },
      { _index: 'x', _id: undefined, status: 400, error: { type: 't', reason: 'r' } },
      {
        _index: 'logs-1',
        _id: '2',
        _version: 2,
        result: 'updated',
        _shards: shards,
        _seq_no: 8,
        _primary_term: 1,
        status: 200,
      },
      undefined,
      undefined,
      undefined,
      // longer than what the buffer was sized for: it grows
      { _index: 'x', _id: undefined, status: 400, error: { type: 't', reason: 'é'.repeat(5000) } },
    ],
    seqs: [6, -1, -1, -1, 36, 1e12, 2 ** 53 - 1, -1],
  }
  const r = bulkResponse(o)
  assert.deepEqual(r.items[0], {
    create: {
      _index: 'logs-1',
      _id: '6',
      _version: 1,
      result: 'created',
      _shards: shards,
      _seq_no: 6,
      _primary_term: 1,
      status: 201,
    },
  })
  assert.equal(r.items[4]!.index!._id, '10', '_id is the sequence number in base 36')
  assert.equal(renderBulk(o).toString('utf8'), JSON.stringify(r))
  assert.deepEqual(JSON.parse(renderBulk(o).toString('utf8')), JSON.parse(JSON.stringify(r)))
})

describe('Elasticsearch-compatible HTTP API', () => {
  let s: TestServer
  before(async () => {
    s = await testServer()
  })
  after(async () => {
    await s.dispose()
  })

  test('GET / and HEAD / answer with the version document and the product header', async () => {
    const r = await http(`${s.es}/`)
    assert.equal(r.status, 200)
    assert.equal(r.headers['x-elastic-product'], 'Elasticsearch')
    const v = r.json()
    assert.equal(v.version.number.split('.')[0], '8')
    assert.equal(v.tagline, 'You Know, for Search')
    const h = await http(`${s.es}/`, { method: 'HEAD' })
    assert.equal(h.status, 200)
    assert.equal(h.text, '')
  })

  test('mixed batch: good items stored, bad items fail alone with ES error shapes', async () => {
    const ts = new Date().toISOString()
    const body = ndjson([
      { index: { _index: 'logs-2026.11.22' } },
      { '@timestamp': ts, log: 'good one' },
      { index: { _index: 'BadIndex' } },
      { log: 'x' },
      { create: {} },
      { log: 'no index' },
      { index: { _index: 'logs-2026.11.22' } },
      '{not json',
      { index: { _index: 'logs-2026.11.22' } },
      { '@timestamp': 'yesterday-ish', log: 'bad date' },
      { update: { _index: 'logs-2026.11.22', _id: '1' } },
      { doc: { a: 1 } },
      { create: { _index: 'logs-2026.11.22' } },
      { '@timestamp': ts, log: 'good two' },
    ])
    const r = await http(`${s.es}/_bulk?refresh=wait_for`, { method: 'POST', body, headers: NDJSON })
    assert.equal(r.status, 200)
    const j = r.json()
    assert.equal(j.errors, true)
    assert.equal(typeof j.took, 'number')
    const items = j.items.map((it: any) => {
      const [action, v] = Object.entries(it)[0] as [string, any]
      return [action, v.status, v.error?.type ?? v.result]
    })
    assert.deepEqual(items, [
      ['index', 201, 'created'],
      ['index', 400, 'invalid_index_name_exception'],
      ['create', 400, 'action_request_validation_exception'],
      ['index', 400, 'document_parsing_exception'],
      ['index', 400, 'mapper_parsing_exception'],
      ['update', 400, 'illegal_argument_exception'],
      ['create', 201, 'created'],
    ])
    const good = j.items[0].index
    assert.equal(good._index, 'logs-2026.11.22')
    assert.equal(typeof good._id, 'string')
    assert.equal(good._version, 1)
    assert.deepEqual(good._shards, { total: 1, successful: 1, failed: 0 })
    assert.equal(good._primary_term, 1)
    const bad = j.items[1].index
    assert.equal(bad.error.reason, 'Invalid index name [BadIndex], must be lowercase')
    assert.equal(bad.error.index, 'BadIndex')
    const found = await postJson(`${s.ui}/api/search`, { query: 'good', from: 'now-1h', to: 'now+1h' })
    assert.deepEqual(
      found
        .json()
        .hits.map((h: any) => h.log)
        .sort(),
      ['good one', 'good two'],
    )
  })

  test('all good: errors false; path index; gzip body', async () => {
    const body = ndjson([{ index: {} }, { log: 'gz 1' }, { create: {} }, { log: 'gz 2' }])
    const r = await http(`${s.es}/fluent-bit/_bulk?refresh=true`, {
      method: 'POST',
      body: gzipSync(body),
      headers: { ...NDJSON, 'content-encoding': 'gzip' },
    })
    assert.equal(r.status, 200)
    const j = r.json()
    assert.equal(j.errors, false)
    assert.deepEqual(
      j.items.map((i: any) => Object.values(i)[0]),
      j.items.map((i: any) => ({ ...(Object.values(i)[0] as object), _index: 'fluent-bit', status: 201 })),
    )
  })

  test('create with an existing _id is a 409; index with an existing _id replaces', async () => {
    const first = ndjson([{ create: { _index: 'ids', _id: 'a1' } }, { log: 'v1' }])
    const r1 = (await http(`${s.es}/_bulk?refresh=wait_for`, { method: 'POST', body: first, headers: NDJSON })).json()
    assert.equal(r1.items[0].create.status, 201)
    const again = ndjson([
      { create: { _index: 'ids', _id: 'a1' } },
      { log: 'v1 again' },
      { create: { _index: 'ids', _id: 'b2' } },
      { log: 'b' },
      { create: { _index: 'ids', _id: 'b2' } },
      { log: 'b dup in same request' },
    ])
    const r2 = (await http(`${s.es}/_bulk?refresh=wait_for`, { method: 'POST', body: again, headers: NDJSON })).json()
    assert.deepEqual(
      r2.items.map((i: any) => i.create.status),
      [409, 201, 409],
    )
    assert.equal(r2.items[0].create.error.type, 'version_conflict_engine_exception')
    assert.equal(
      r2.items[0].create.error.reason,
      '[a1]: version conflict, document already exists (current version [1])',
    )
    const replace = ndjson([{ index: { _index: 'ids', _id: 'a1' } }, { log: 'v2' }])
    const r3 = (await http(`${s.es}/_bulk?refresh=wait_for`, { method: 'POST', body: replace, headers: NDJSON })).json()
    assert.equal(r3.items[0].index.status, 200)
    assert.equal(r3.items[0].index.result, 'updated')
    const hits = (await postJson(`${s.ui}/api/search`, { query: '_index:ids', from: 'now-1h', to: 'now+1h' })).json()
      .hits
    assert.deepEqual(hits.map((h: any) => [h._id, h.log]).sort(), [
      ['a1', 'v2'],
      ['b2', 'b'],
    ])
  })

  test('one request indexing the same _id twice: applied in order, the later replaces the earlier (as in Elasticsearch)', async () => {
    const body = ndjson([
      { index: { _index: 'twice', _id: 'n1' } },
      { log: 'first' },
      { index: { _index: 'twice', _id: 'n1' } },
      { log: 'second' },
      { create: { _index: 'twice', _id: 'n1' } },
      { log: 'create after' },
      { index: { _index: 'twice', _id: 'n2' } },
      { log: 'other' },
      { index: { _index: 'twice', _id: 'n1' } },
      { log: 'third' },
    ])
    const r = (await http(`${s.es}/_bulk?refresh=wait_for`, { method: 'POST', body, headers: NDJSON })).json()
    assert.deepEqual(
      r.items.map((i: any) => {
        const v = i.index ?? i.create
        return [v._id, v.status, v.result ?? v.error.type, v._version ?? null]
      }),
      [
        ['n1', 201, 'created', 1],
        ['n1', 200, 'updated', 2],
        ['n1', 409, 'version_conflict_engine_exception', null],
        ['n2', 201, 'created', 1],
        ['n1', 200, 'updated', 3],
      ],
    )
    const hits = (await postJson(`${s.ui}/api/search`, { query: '_index:twice', from: 'now-1h', to: 'now+1h' })).json()
      .hits
    assert.deepEqual(hits.map((h: any) => [h._id, h.log]).sort(), [
      ['n1', 'third'],
      ['n2', 'other'],
    ])
    // a later request still sees n1 as existing: create is a conflict, index replaces the one copy
    const again = ndjson([{ index: { _index: 'twice', _id: 'n1' } }, { log: 'fourth' }])
    const r2 = (await http(`${s.es}/_bulk?refresh=wait_for`, { method: 'POST', body: again, headers: NDJSON })).json()
    assert.equal(r2.items[0].index.result, 'updated')
    const after = (await postJson(`${s.ui}/api/search`, { query: '_index:twice', from: 'now-1h', to: 'now+1h' })).json()
      .hits
    assert.deepEqual(after.map((h: any) => [h._id, h.log]).sort(), [
      ['n1', 'fourth'],
      ['n2', 'other'],
    ])
  })

  test('malformed action line: whole request 400 in ES error shape, nothing stored', async () => {
    const r = await http(`${s.es}/_bulk`, {
      method: 'POST',
      body: '{"index":{"_index":"bad"}}\n{}\n{oops\n{}\n',
      headers: NDJSON,
    })
    assert.equal(r.status, 400)
    const j = r.json()
    assert.equal(j.status, 400)
    assert.equal(j.error.root_cause[0].type, j.error.type)
    assert.match(j.error.reason, /Malformed action\/metadata line \[3\]/)
  })

  test('_cat/indices?v and _cluster/health?pretty answer like Elasticsearch', async () => {
    await http(`${s.es}/_bulk?refresh=wait_for`, {
      method: 'POST',
      body: ndjson([{ index: { _index: 'logs-2026.11.22' } }, { log: 'cat' }]),
      headers: NDJSON,
    })
    const cat = await http(`${s.es}/_cat/indices?v`)
    assert.equal(cat.status, 200)
    const lines = cat.text.trimEnd().split('\n')
    assert.deepEqual(lines[0]!.split(/\s+/), [
      'health',
      'status',
      'index',
      'uuid',
      'pri',
      'rep',
      'docs.count',
      'docs.deleted',
      'store.size',
      'pri.store.size',
      'dataset.size',
    ])
    const row = lines.find((l) => l.includes(' logs-2026.11.22 '))!.split(/\s+/)
    assert.equal(row[0], 'green')
    assert.equal(row[1], 'open')
    assert.ok(Number(row[6]) >= 2)
    const json = (await http(`${s.es}/_cat/indices?format=json`)).json()
    assert.ok(json.some((i: any) => i.index === 'fluent-bit' && i['docs.count'] === '2'))
    const h = await http(`${s.es}/_cluster/health?pretty`)
    assert.match(h.text, /^\{\n {2}"cluster_name"/)
    const hj = h.json()
    assert.equal(hj.status, 'green')
    assert.equal(hj.number_of_nodes, 1)
    assert.equal(hj.timed_out, false)
  })

  test('handshake endpoints: license, xpack, nodes, templates, ILM, pipelines', async () => {
    assert.equal((await http(`${s.es}/_license`)).json().license.status, 'active')
    assert.ok((await http(`${s.es}/_xpack`)).json().features.ilm.available)
    const nodes = (await http(`${s.es}/_nodes/http`)).json()
    const node = Object.values(nodes.nodes)[0] as any
    assert.equal(node.http.publish_address, `127.0.0.1:${s.esPort}`)
    // Filebeat: GET the template, PUT it when missing, then GET finds it.
    assert.equal((await http(`${s.es}/_index_template/filebeat-8.17.0`)).status, 404)
    assert.equal((await http(`${s.es}/_index_template/filebeat-8.17.0`, { method: 'HEAD' })).status, 404)
    const put = await http(`${s.es}/_index_template/filebeat-8.17.0`, {
      method: 'PUT',
      body: '{"index_patterns":["filebeat-*"]}',
    })
    assert.deepEqual(put.json(), { acknowledged: true })
    const got = (await http(`${s.es}/_index_template/filebeat-8.17.0`)).json()
    assert.deepEqual(got.index_templates[0], {
      name: 'filebeat-8.17.0',
      index_template: { index_patterns: ['filebeat-*'] },
    })
    assert.equal((await http(`${s.es}/_ilm/policy/logstash-policy`)).status, 404)
    await http(`${s.es}/_ilm/policy/logstash-policy`, { method: 'PUT', body: '{"policy":{"phases":{}}}' })
    assert.deepEqual((await http(`${s.es}/_ilm/policy/logstash-policy`)).json()['logstash-policy'].policy, {
      phases: {},
    })
    assert.equal((await http(`${s.es}/_ingest/pipeline/p1`)).status, 404)
    await http(`${s.es}/_ingest/pipeline/p1`, { method: 'PUT', body: '{"processors":[]}' })
    assert.deepEqual((await http(`${s.es}/_ingest/pipeline/p1`)).json(), { p1: { processors: [] } })
    const badPath = await http(`${s.es}/%E0%A4%A/_bulk`, { method: 'POST', body: '\n' })
    assert.equal(badPath.status, 400)
    assert.equal(badPath.json().error.type, 'illegal_argument_exception')
    const unknown = await http(`${s.es}/_no_such_api`)
    assert.equal(unknown.status, 400)
    assert.match(unknown.json().error, /no handler found for uri/)
  })

  test('an index that exists answers HEAD 200, a missing one 404 index_not_found_exception', async () => {
    assert.equal((await http(`${s.es}/fluent-bit`, { method: 'HEAD' })).status, 200)
    const miss = await http(`${s.es}/nope-index`)
    assert.equal(miss.status, 404)
    assert.equal(miss.json().error.type, 'index_not_found_exception')
  })
})

describe('create with _id under concurrent load', () => {
  let s: TestServer
  before(async () => {
    s = await testServer()
  })
  after(async () => {
    await s.dispose()
  })

  // Regression (scripts/chaos/files.chaos.ts, copytruncate with Id_Key): an id that finished loading
  // into the store while another request's check was querying it was answered 201 twice.
  test('every id is created exactly once; the others are 409', async () => {
    let created = 0
    const client = async (k: number) => {
      for (let r = 0; r < 25; r++) {
        const ids = Array.from({ length: 200 }, (_, i) => String(r * 100 + i + k * 37))
        const body = ndjson(ids.flatMap((id) => [{ create: { _index: 'dup', _id: id } }, { log: `mark=${id}` }]))
        const res = await http(`${s.es}/_bulk`, { method: 'POST', body, headers: NDJSON })
        for (const it of res.json().items) {
          assert.ok(it.create.status === 201 || it.create.status === 409, JSON.stringify(it))
          if (it.create.status === 201) created++
        }
      }
    }
    await Promise.all([0, 1, 2, 3].map(client))
    await s.store.refresh()
    const all = s.store.source(0, Number.MAX_SAFE_INTEGER)
    const dups = await s.store.query(`SELECT id FROM ${all} GROUP BY id HAVING count(*) > 1 LIMIT 5`)
    assert.deepEqual(dups, [])
    const distinct = Number((await s.store.query(`SELECT count(DISTINCT id) AS n FROM ${all}`))[0]!.n)
    assert.equal(created, distinct)
  })

  test('ids are forgotten from memory once loaded (no leak)', async () => {
    const body = ndjson([{ create: { _index: 'dup', _id: 'late-1' } }, { log: 'x' }])
    await http(`${s.es}/_bulk?refresh=wait_for`, { method: 'POST', body, headers: NDJSON })
    await s.store.refresh()
    assert.equal(s.ids.pendingCount(), 0)
  })
})
