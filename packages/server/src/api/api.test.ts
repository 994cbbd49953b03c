import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { bulk, http, k8sDoc, postJson, type TestServer, testServer } from '../testing.ts'

const RANGE = { from: 'now-1h', to: 'now+1h' }

describe('query API', () => {
  let s: TestServer
  const t0 = Date.now() - 30 * 60_000
  before(async () => {
    s = await testServer()
    const docs = Array.from({ length: 300 }, (_, i) => k8sDoc(i, {}, t0))
    // Dotted and nested keys side by side, and a field that is a number here and a string there.
    docs.push({
      '@timestamp': new Date(t0 - 5000).toISOString(),
      message: 'odd one',
      'app.kubernetes.io/name': 'flat',
      app: 'plain',
      code: 42,
    })
    docs.push({
      '@timestamp': new Date(t0 - 6000).toISOString(),
      message: 'odd two',
      app: { kubernetes: { io: 'nested' } },
      code: 'E42',
    })
    await bulk(s.es, docs, 'logs-2026.11.22')
  })
  after(async () => {
    await s.dispose()
  })

  const search = (body: object) => postJson(`${s.ui}/api/search`, { ...RANGE, ...body })

  test('search returns hits newest first in the API shape, with total and took', async () => {
    const r = await search({ size: 5 })
    assert.equal(r.status, 200)
    const j = r.json()
    assert.equal(j.total, 302)
    assert.equal(typeof j.took, 'number')
    assert.equal(j.hits.length, 5)
    const h = j.hits[0]
    assert.equal(h._index, 'logs-2026.11.22')
    assert.equal(typeof h._id, 'string')
    assert.match(h['@timestamp'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}Z$/)
    assert.equal(h.log, 'request 299 handled in 99ms')
    assert.deepEqual(h.kubernetes, {
      pod_name: 'api-3',
      namespace_name: 'checkout',
      container_name: 'api',
      host: 'node-1',
      labels: { app: 'api', 'app.kubernetes.io/name': 'api-1' },
    })
    const ts = j.hits.map((x: any) => Date.parse(x['@timestamp']))
    assert.deepEqual(
      ts,
      [...ts].sort((a, b) => b - a),
    )
  })

  test('the cursor pages through every hit exactly once, in both directions', async () => {
    for (const sort of ['desc', 'asc']) {
      const seen: string[] = []
      let after: string | null = null
      do {
        const j: any = (await search({ size: 64, sort, ...(after ? { after } : {}) })).json()
        seen.push(...j.hits.map((h: any) => h._id))
        after = j.after
      } while (after)
      assert.equal(seen.length, 302, sort)
      assert.equal(new Set(seen).size, 302, sort)
    }
  })

  test('KQL filters: field match, free text, wildcard, range, not, dotted label', async () => {
    const count = async (query: string) => (await search({ query, size: 0 })).json().total
    assert.equal(await count('kubernetes.namespace_name:payments'), 100)
    assert.equal(await count('error'), 30)
    assert.equal(await count('upstream timeout'), 30)
    assert.equal(await count('kubernetes.pod_name:api-*'), 300)
    assert.equal(await count('stream:stderr and not kubernetes.namespace_name:payments'), 28)
    assert.equal(await count('kubernetes.labels.app.kubernetes.io/name:api-0'), 150)
    assert.equal(await count('kubernetes.labels.app:api'), 300)
  })

  test('dotted keys and nested keys never conflict; mixed types are fine', async () => {
    const count = async (query: string) => (await search({ query, size: 0 })).json().total
    assert.equal(await count('app.kubernetes.io/name:flat'), 1)
    assert.equal(await count('app:plain'), 1)
    assert.equal(await count('app.kubernetes.io:nested'), 1)
    assert.equal(await count('code:42'), 1)
    assert.equal(await count('code:E42'), 1)
    assert.equal(await count('code >= 40'), 1)
    // NOT keeps the records that lack the field (SQL NULL must not leak through NOT).
    assert.equal(await count('not code:42'), 301)
    assert.equal(await count('not (code:42 or code:E42)'), 300)
    const hit = (await search({ query: 'message:"odd two"' })).json().hits[0]
    assert.deepEqual(hit.app, { kubernetes: { io: 'nested' } })
    const flat = (await search({ query: 'message:"odd one"' })).json().hits[0]
    assert.equal(flat['app.kubernetes.io/name'], 'flat')
    assert.equal(flat.code, 42)
  })

  test('injection attempts through the API are plain values and the store is intact', async () => {
    for (const query of [`"'); DROP TABLE logs; --"`, `kubernetes.pod_name:"x' OR '1'='1"`, `code:"1 OR 1=1"`]) {
      const r = await search({ query })
      assert.equal(r.status, 200, query)
      assert.equal(r.json().total, 0, query)
    }
    assert.equal((await search({ size: 0 })).json().total, 302)
  })

  test('fields projection returns the named fields only', async () => {
    const h = (await search({ size: 1, fields: ['kubernetes.pod_name', 'log'] })).json().hits[0]
    assert.deepEqual(Object.keys(h).sort(), ['@timestamp', '_id', '_index', 'kubernetes.pod_name', 'log'])
  })

  test('errors: KQL syntax with position, bad request, unknown endpoint', async () => {
    const e1 = await search({ query: 'status:(500' })
    assert.equal(e1.status, 400)
    assert.equal(e1.json().error.type, 'kql_syntax_error')
    assert.equal(typeof e1.json().error.position, 'number')
    const e2 = await search({ size: 10001 })
    assert.equal(e2.status, 400)
    assert.equal(e2.json().error.type, 'bad_request')
    assert.match(e2.json().error.reason, /'size'/)
    const e3 = await postJson(`${s.ui}/api/search`, { from: 'yesterday' })
    assert.equal(e3.json().error.type, 'bad_request')
    const e4 = await http(`${s.ui}/api/search`, { method: 'POST', body: '{nope' })
    assert.equal(e4.status, 400)
    assert.equal(e4.json().error.type, 'bad_request')
    const e5 = await http(`${s.ui}/api/nope`)
    assert.equal(e5.status, 404)
    assert.equal(e5.json().error.type, 'bad_request')
  })

  test('histogram: buckets cover the range; counts add up; split by namespace', async () => {
    const r = await postJson(`${s.ui}/api/histogram`, {
      from: new Date(t0 - 60_000).toISOString(),
      to: new Date(t0 + 60_000).toISOString(),
      interval: '10s',
      split: 'kubernetes.namespace_name',
    })
    assert.equal(r.status, 200)
    const j = r.json()
    assert.equal(j.interval, '10s')
    assert.equal(j.intervalMs, 10_000)
    assert.ok(j.buckets.length >= 12 && j.buckets.length <= 13)
    assert.equal(
      j.buckets.reduce((a: number, b: any) => a + b.count, 0),
      302,
    )
    const split = j.buckets.reduce((acc: Record<string, number>, b: any) => {
      for (const [k, v] of Object.entries(b.split as Record<string, number>)) acc[k] = (acc[k] ?? 0) + v
      return acc
    }, {})
    assert.deepEqual(split, { checkout: 200, payments: 100 })
    const auto = (await postJson(`${s.ui}/api/histogram`, { from: 'now-1h', to: 'now' })).json()
    assert.equal(auto.interval, '1m')
    const top1 = (
      await postJson(`${s.ui}/api/histogram`, {
        from: new Date(t0 - 60_000).toISOString(),
        to: new Date(t0 + 60_000).toISOString(),
        interval: '1m',
        split: 'kubernetes.namespace_name',
        splitSize: 1,
      })
    ).json()
    const sums = top1.buckets.reduce((acc: Record<string, number>, b: any) => {
      for (const [k, v] of Object.entries(b.split as Record<string, number>)) acc[k] = (acc[k] ?? 0) + v
      return acc
    }, {})
    assert.deepEqual(sums, { checkout: 200, __other__: 100 })
  })

  test('fields lists names with types and counts; field-values gives top values with prefix', async () => {
    const f = (await postJson(`${s.ui}/api/fields`, RANGE)).json().fields
    const byName = Object.fromEntries(f.map((x: any) => [x.name, x]))
    assert.equal(byName['@timestamp'].type, 'date')
    assert.equal(byName['kubernetes.pod_name'].type, 'string')
    assert.ok(byName['kubernetes.labels.app.kubernetes.io/name'].count > 0)
    assert.ok(byName.code)
    const v = (await postJson(`${s.ui}/api/field-values`, { ...RANGE, field: 'kubernetes.namespace_name' })).json()
    assert.deepEqual(v, {
      field: 'kubernetes.namespace_name',
      total: 300,
      values: [
        { value: 'checkout', count: 200 },
        { value: 'payments', count: 100 },
      ],
    })
    const p = (
      await postJson(`${s.ui}/api/field-values`, { ...RANGE, field: 'kubernetes.pod_name', prefix: 'API-1', size: 3 })
    ).json()
    assert.deepEqual(p.values, [{ value: 'api-1', count: 75 }])
    // A field read from JSON (aggregated per distinct rest): counts per record, prefix, query filter.
    const label = (
      await postJson(`${s.ui}/api/field-values`, {
        ...RANGE,
        field: 'kubernetes.labels.app.kubernetes.io/name',
        query: 'kubernetes.namespace_name:checkout',
      })
    ).json()
    assert.deepEqual(label, {
      field: 'kubernetes.labels.app.kubernetes.io/name',
      total: 200,
      values: [
        { value: 'api-0', count: 100 },
        { value: 'api-1', count: 100 },
      ],
    })
    const hist = (
      await postJson(`${s.ui}/api/histogram`, {
        ...RANGE,
        interval: '1h',
        split: 'kubernetes.labels.app.kubernetes.io/name',
        splitSize: 1,
      })
    ).json()
    const sums: Record<string, number> = {}
    for (const b of hist.buckets)
      for (const [k, n] of Object.entries(b.split as Record<string, number>)) sums[k] = (sums[k] ?? 0) + n
    assert.deepEqual(sums, { 'api-0': 150, __other__: 150 })
    const none = (await postJson(`${s.ui}/api/field-values`, { ...RANGE, field: 'no.such.field' })).json()
    assert.deepEqual(none, { field: 'no.such.field', total: 0, values: [] })
  })

  test('context: neighbours from the same pod stream, in order', async () => {
    const hit = (await search({ query: 'log:"request 100 handled"' })).json().hits[0]
    const c = (await postJson(`${s.ui}/api/context`, { id: hit._id, before: 3, after: 2 })).json()
    assert.equal(c.hit._id, hit._id)
    assert.deepEqual(
      c.before.map((h: any) => h.log.split(' ')[1]),
      ['80', '88', '92'],
    )
    assert.deepEqual(
      c.after.map((h: any) => h.log.split(' ')[1]),
      ['104', '112'],
    )
    const miss = await postJson(`${s.ui}/api/context`, { id: 'zzzzzzzzzz' })
    assert.equal(miss.status, 404)
  })

  test('saved searches: create, list, delete', async () => {
    const created = (
      await postJson(`${s.ui}/api/saved-searches`, {
        name: 'errors',
        query: 'error',
        from: 'now-1h',
        to: 'now',
        columns: ['log'],
      })
    ).json()
    assert.equal(created.name, 'errors')
    assert.equal(typeof created.id, 'string')
    assert.ok(!Number.isNaN(Date.parse(created.created)))
    const list = (await http(`${s.ui}/api/saved-searches`)).json()
    assert.deepEqual(list.items, [created])
    assert.equal((await http(`${s.ui}/api/saved-searches/${created.id}`, { method: 'DELETE' })).status, 204)
    assert.deepEqual((await http(`${s.ui}/api/saved-searches`)).json().items, [])
    assert.equal((await http(`${s.ui}/api/saved-searches/${created.id}`, { method: 'DELETE' })).status, 404)
    const bad = await postJson(`${s.ui}/api/saved-searches`, { query: 'x' })
    assert.equal(bad.status, 400)
  })

  test('stats, health and metrics', async () => {
    const st = (await http(`${s.ui}/api/stats`)).json()
    assert.equal(st.records_total, 302)
    assert.ok(st.bytes_on_disk > 0)
    assert.equal(st.ingest.records_total, 302)
    assert.deepEqual(st.ingest.by_source, { bulk: 302, forward: 0, otlp: 0 })
    assert.deepEqual(st.dead_letter, { records_total: 0, rejected_rows: 0, failed_segment_rows: 0 })
    assert.deepEqual(
      st.indices.map((i: any) => [i.index, i.docs]),
      [['logs-2026.11.22', 302]],
    )
    assert.equal(st.agents.length, 1)
    assert.equal(st.agents[0].records_total, 302)
    assert.equal((await http(`${s.ui}/api/health`)).json().status, 'ok')
    const m = await http(`${s.ui}/metrics`)
    assert.match(m.text, /^sluice_ingest_records_total\{source="bulk"\} 302$/m)
    assert.match(m.text, /^sluice_store_records 302$/m)
  })

  test('tail streams new records as SSE and resumes from Last-Event-ID without loss', async () => {
    const events: Array<{ id: string; hits: any[] }> = []
    const open = (lastId?: string) =>
      new Promise<{ close(): void }>((resolve) => {
        const req = request(`${s.ui}/api/tail?query=${encodeURIComponent('kubernetes.namespace_name:tailns')}`, {
          headers: lastId ? { 'last-event-id': lastId } : {},
        })
        req.on('response', (res) => {
          assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8')
          let buf = ''
          res.on('data', (c) => {
            buf += c
            let i = buf.indexOf('\n\n')
            while (i >= 0) {
              const block = buf.slice(0, i)
              buf = buf.slice(i + 2)
              const id = /^id: (.*)$/m.exec(block)?.[1]
              const data = /^data: (.*)$/m.exec(block)?.[1]
              if (id !== undefined && data) events.push({ id, hits: JSON.parse(data).hits })
              i = buf.indexOf('\n\n')
            }
          })
          resolve({ close: () => req.destroy() })
        })
        req.end()
      })
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25))
      assert.ok(pred())
    }
    const all = () => events.flatMap((e) => e.hits.map((h) => h.log))
    const c1 = await open()
    await waitFor(() => events.length >= 1)
    const doc = (n: number) => ({ log: `tail ${n}`, kubernetes: { namespace_name: 'tailns', pod_name: 'p' } })
    await bulk(s.es, [doc(1), doc(2), k8sDoc(1)])
    await waitFor(() => all().length === 2)
    c1.close()
    const lastId = events.at(-1)!.id
    // Written while disconnected: must arrive after the reconnect.
    await bulk(s.es, [doc(3)])
    events.length = 0
    const c2 = await open(lastId)
    await bulk(s.es, [doc(4)])
    await waitFor(() => all().length === 2)
    assert.deepEqual(all(), ['tail 3', 'tail 4'])
    c2.close()
  })
})

describe('web UI serving', () => {
  let s: TestServer
  before(async () => {
    s = await testServer()
    const web = join(s.dir, 'no-web')
    mkdirSync(join(web, 'assets'), { recursive: true })
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>sluice</title>')
    writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(s.dir, 'secret.txt'), 'secret')
  })
  after(async () => {
    await s.dispose()
  })

  test('files, SPA fallback, and no path traversal', async () => {
    const js = await http(`${s.ui}/assets/app.js`)
    assert.equal(js.status, 200)
    assert.match(String(js.headers['content-type']), /javascript/)
    assert.equal(js.text, 'console.log(1)')
    const spa = await http(`${s.ui}/discover/some/route`)
    assert.equal(spa.status, 200)
    assert.match(spa.text, /<title>sluice/)
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await http(`${s.ui}${p}`)
      assert.notEqual(r.text, 'secret', p)
    }
  })
})

describe('text that is not well-formed Unicode', () => {
  let s: TestServer
  before(async () => {
    s = await testServer()
  })
  after(async () => {
    await s.dispose()
  })

  test('a lone UTF-16 surrogate is stored as U+FFFD, not refused after the ack', async () => {
    await bulk(s.es, [{ log: 'lone \ud800 surrogate', note: 'literal \\ud800 text', ['key\udc00']: 1 }])
    const r = (await postJson(`${s.ui}/api/search`, { ...RANGE, query: 'surrogate' })).json()
    assert.equal(r.total, 1)
    assert.equal(r.hits[0].log, 'lone \ufffd surrogate')
    assert.equal(r.hits[0].note, 'literal \\ud800 text')
    assert.equal(r.hits[0]['key\ufffd'], 1)
    assert.equal(s.store.rejectedRows, 0)
  })
})
