// Hostile clients against a real server (in-process, loopback, ephemeral ports): malformed NDJSON,
// broken action lines, oversize bodies, gzip bombs, slowloris connections, forward-protocol garbage,
// KQL too deep or too long, path traversal in index names and static paths, missing or wrong tokens.
// Each gets a clear error, a metric moves, the server stays up, and the good records of the same
// request still arrive.

import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { http, ndjson, postJson, type TestServer, testServer } from '../../packages/server/src/testing.ts'

/** Sum of a metric family's samples whose label text contains every `labels` fragment. */
function metric(s: TestServer, name: string, ...labels: string[]): number {
  let sum = 0
  for (const line of s.metrics.render().split('\n')) {
    if (!line.startsWith(name) || !/[\s{]/.test(line[name.length] ?? '')) continue
    if (labels.every((l) => line.includes(l))) sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

async function searchCount(s: TestServer, query: string): Promise<number> {
  const r = await postJson(`${s.ui}/api/search`, { query, from: 'now-1h', to: 'now+1h', size: 0 })
  assert.equal(r.status, 200, r.text)
  return r.json().total
}

/** Polls until the store shows `n` hits for `query` (loading into DuckDB is asynchronous). */
async function eventually(s: TestServer, query: string, n: number): Promise<void> {
  const end = Date.now() + 20_000
  let got = -1
  while (Date.now() < end) {
    got = await searchCount(s, query)
    if (got === n) return
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.equal(got, n, `hits for ${query}`)
}

const doc = (tag: string, i: number) => ({ '@timestamp': new Date().toISOString(), log: `${tag} ${i}`, tag })
const bulk = (s: TestServer, body: string | Buffer, headers: Record<string, string> = {}) =>
  http(`${s.es}/_bulk`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-ndjson', connection: 'close', ...headers },
  })

async function stillServes(s: TestServer, tag: string): Promise<void> {
  const r = await bulk(s, ndjson([{ create: { _index: 'ok' } }, doc(tag, 0)]))
  assert.equal(r.status, 200, r.text)
  assert.equal(r.json().errors, false, r.text)
  await eventually(s, `tag:${tag}`, 1)
}

describe('hostile clients', () => {
  let s: TestServer
  before(async () => {
    s = await testServer()
  })
  after(() => s.dispose())

  test('malformed NDJSON source lines fail only their own items, the others are stored', async () => {
    const before = metric(s, 'sluice_ingest_item_errors_total')
    const body =
      ndjson([{ create: { _index: 'h' } }, doc('mixed', 1), { create: { _index: 'h' } }]) +
      '{"log": "unterminated\n' +
      ndjson([{ create: { _index: 'h' } }, '[1,2,3]', { create: { _index: 'h' } }, doc('mixed', 2)])
    const r = await bulk(s, body)
    assert.equal(r.status, 200, r.text)
    const items = r.json().items.map((it: any) => it.create.status)
    assert.deepEqual(items, [201, 400, 400, 201])
    assert.match(JSON.stringify(r.json().items[1]), /document_parsing_exception|parse/)
    await eventually(s, 'tag:mixed', 2)
    assert.ok(metric(s, 'sluice_ingest_item_errors_total') >= before + 2)
  })

  test('a broken action line is a 400 naming the line; the server keeps serving', async () => {
    const before = metric(s, 'sluice_es_requests_total')
    for (const bad of ['{"create": ', '{"explode":{}}', '"just a string"']) {
      const r = await bulk(s, `${bad}\n${JSON.stringify(doc('x', 0))}\n`)
      assert.equal(r.status, 400, `${bad}: ${r.text}`)
      assert.ok(r.json().error?.reason, r.text)
    }
    assert.ok(metric(s, 'sluice_es_requests_total') >= before + 3)
    await stillServes(s, 'afteraction')
  })

  test('gzip bomb and oversize bodies: 413 after decompression, without exhausting memory', async () => {
    const bomb = gzipSync(Buffer.alloc(200 << 20, 0x20))
    assert.ok(bomb.length < 1 << 20)
    const r = await bulk(s, bomb, { 'content-encoding': 'gzip' })
    assert.equal(r.status, 413, r.text)
    assert.match(r.text, /larger than/)
    const notGzip = await bulk(s, Buffer.from('definitely not gzip'), { 'content-encoding': 'gzip' })
    assert.equal(notGzip.status, 400, notGzip.text)
    assert.match(notGzip.text, /cannot read the request body/)
    const big = Buffer.alloc(101 << 20, 0x20)
    const r2 = await bulk(s, big).catch((e: Error) => ({ status: 413, text: e.message }))
    assert.equal(r2.status, 413, r2.text)
    assert.ok(process.memoryUsage().rss < 1.5 * 1024 ** 3)
    await stillServes(s, 'afterbomb')
  })

  test('slowloris: 200 connections dribbling headers do not block other clients', async () => {
    const socks: Socket[] = []
    try {
      for (let i = 0; i < 200; i++) {
        const c = connect(s.esPort, '127.0.0.1')
        c.on('error', () => {})
        c.write('POST /_bulk HTTP/1.1\r\nHost: x\r\nX-Slow: ')
        socks.push(c)
      }
      await new Promise((r) => setTimeout(r, 200))
      for (const c of socks) c.write('a')
      await stillServes(s, 'slowloris')
    } finally {
      for (const c of socks) c.destroy()
    }
  })

  test('forward-protocol garbage closes that connection, is counted, and the server stays up', async () => {
    const before = metric(s, 'sluice_forward_protocol_errors_total')
    const garbage = [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0xc1, 0xc1, 0xc1, 0xc1]), // 0xc1 is never used in MessagePack
      Buffer.from([0x93, 0xa3, 0x61, 0x62, 0x63, 0xcb]), // [tag, <truncated float>
      Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), // array32 claiming 4G elements
    ]
    for (const g of garbage) {
      const c = connect(s.forwardPort!, '127.0.0.1')
      c.on('error', () => {})
      await new Promise((r) => c.once('connect', r))
      c.end(g)
      await new Promise((r) => c.once('close', r))
    }
    const end = Date.now() + 5000
    while (metric(s, 'sluice_forward_protocol_errors_total') < before + 1 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20))
    assert.ok(metric(s, 'sluice_forward_protocol_errors_total') >= before + 1, s.metrics.render())
    await stillServes(s, 'afterforward')
  })

  test('KQL too deep or too long: 400 kql_syntax_error (or bad_request), never a crash', async () => {
    const cases = [
      '('.repeat(10_000) + 'a:1' + ')'.repeat(10_000),
      'not '.repeat(20_000) + 'a:1',
      `log:${'x'.repeat(900_000)}`,
    ]
    for (const query of cases) {
      const r = await postJson(`${s.ui}/api/search`, { query, from: 'now-1h', to: 'now' })
      assert.ok(r.status === 400 || r.status === 413, `${query.slice(0, 20)}…: ${r.status} ${r.text.slice(0, 200)}`)
      assert.match(r.json().error.type, /kql_syntax_error|bad_request|content_too_long/)
    }
    assert.ok(metric(s, 'sluice_api_requests_total', 'code="400"') >= 1, s.metrics.render())
    await stillServes(s, 'afterkql')
  })

  test('path traversal: index names are refused per item, static paths stay inside the web root', async () => {
    const before = metric(s, 'sluice_ingest_item_errors_total')
    const r = await bulk(
      s,
      ndjson([
        { create: { _index: '../../etc' } },
        doc('trav', 1),
        { create: { _index: 'a/b' } },
        doc('trav', 2),
        { create: { _index: 'good' } },
        doc('trav', 3),
      ]),
    )
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(
      r.json().items.map((it: any) => it.create.status),
      [400, 400, 201],
    )
    assert.match(JSON.stringify(r.json().items[0]), /invalid_index_name_exception/)
    assert.ok(metric(s, 'sluice_ingest_item_errors_total') >= before + 2)
    await eventually(s, 'tag:trav', 1)
    for (const p of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/static/..%5c..%5cetc%5cpasswd',
    ]) {
      const res = await http(`${s.ui}${p}`)
      assert.ok(!res.text.includes('root:x:0:0'), `${p} leaked /etc/passwd`)
      assert.ok(
        res.status === 200 || res.status === 400 || res.status === 403 || res.status === 404,
        `${p}: ${res.status}`,
      )
    }
    const viaPath = await http(`${s.es}/..%2F..%2Fetc/_bulk`, {
      method: 'POST',
      body: ndjson([{ create: {} }, doc('trav2', 1)]),
      headers: { 'content-type': 'application/x-ndjson' },
    })
    assert.ok(viaPath.status >= 400 || viaPath.json().errors === true, viaPath.text)
  })
})

describe('tokens', () => {
  let s: TestServer
  before(async () => {
    s = await testServer({
      auth: {
        tokens: [
          { token: 'ingest-secret', scope: 'ingest' },
          { token: 'read-secret', scope: 'read' },
        ],
      },
    })
  })
  after(() => s.dispose())

  test('requests without or with wrong tokens get 401/403 and a count; good ones pass', async () => {
    const body = ndjson([{ create: { _index: 'auth' } }, doc('authed', 1)])
    assert.equal((await bulk(s, body)).status, 401)
    assert.equal((await bulk(s, body, { authorization: 'Bearer wrong' })).status, 401)
    assert.equal((await bulk(s, body, { authorization: 'Basic Zm9vOmJhcg==' })).status, 401)
    assert.equal((await bulk(s, body, { authorization: 'Bearer read-secret' })).status, 403)
    const ok = await bulk(s, body, { authorization: 'Bearer ingest-secret' })
    assert.equal(ok.status, 200, ok.text)
    const search = (auth?: string) =>
      postJson(
        `${s.ui}/api/search`,
        { query: 'tag:authed', from: 'now-1h', to: 'now+1h' },
        auth ? { authorization: auth } : {},
      )
    const anon = await search()
    assert.equal(anon.status, 401)
    assert.equal(anon.json().error.type, 'unauthorized')
    assert.equal((await search('Bearer ingest-secret')).status, 403)
    const end = Date.now() + 20_000
    let total = 0
    while (total !== 1 && Date.now() < end) total = (await search('Bearer read-secret')).json().total
    assert.equal(total, 1)
    const m = s.metrics.render()
    assert.match(m, /sluice_api_requests_total{endpoint="error",code="401"} [1-9]/)
  })
})
