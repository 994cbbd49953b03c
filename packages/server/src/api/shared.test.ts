// The query API over rows whose pod metadata is stored once per day (store row.ts SharedPart): the
// same answers as over rows that keep it whole — labels, annotations, exists, not, ranges, wildcards,
// phrases, fields of the row and of its shared part together, records whose `kubernetes` object is
// not split (another key position, another shape), and data written before the split existed.

import assert from 'node:assert/strict'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DuckDBInstance } from '@duckdb/node-api'
import { FieldResolver } from '../query/fields.ts'
import { PARTITION_ATTACH_OPTIONS } from '../store/store.ts'
import { bulk, postJson, type TestServer, tempDir, testServer } from '../testing.ts'

const RANGE = { from: 'now-1h', to: 'now+1h' }

const podA = {
  pod_name: 'web-1',
  namespace_name: 'shop',
  container_name: 'web',
  host: 'n1',
  labels: { app: 'web', tier: 'front', version: '3' },
  annotations: { owner: 'alice' },
}
const podB = {
  pod_name: 'db-1',
  namespace_name: 'shop',
  container_name: 'db',
  host: 'n2',
  labels: { app: 'db', version: '10' },
}
const podC = {
  pod_name: 'web-2',
  namespace_name: 'other',
  container_name: 'web',
  host: 'n1',
  labels: { app: 'web', tier: 'back', version: '3' },
  annotations: { owner: 'bob' },
}

const t0 = Date.now() - 30 * 60_000
/** The time of the i-th second of the test's timeline (half an hour ago), ISO 8601. */
const at = (i: number) => new Date(t0 + i * 1000).toISOString()

/** The server's hits, oldest first, are `docs` exactly as they were sent; returns the search's answer. */
async function assertHitsAsSent(s: TestServer, docs: ReadonlyArray<Record<string, unknown>>): Promise<any> {
  const j = (await postJson(`${s.ui}/api/search`, { ...RANGE, size: 200, sort: 'asc' })).json()
  assert.equal(j.hits.length, docs.length)
  for (const [i, h] of j.hits.entries()) {
    const { _id, _index, '@timestamp': t, ...rest } = h
    const { '@timestamp': dt, ...doc } = docs[i]!
    assert.equal(t, new Date(dt as string).toISOString())
    assert.deepEqual(rest, doc)
  }
  return j
}

describe('query API over shared pod metadata', () => {
  let s: TestServer
  const docs: Array<Record<string, unknown>> = []
  before(async () => {
    s = await testServer()
    // Pod A: `kubernetes` last (Fluent Bit's shape: split off after the pod's first line), some
    // lines with fields of their own before it.
    for (let i = 0; i < 40; i++)
      docs.push({
        '@timestamp': at(i),
        log: `alpha ${i}`,
        ...(i % 4 === 0 ? { user: { id: i } } : {}),
        kubernetes: podA,
      })
    // A top-level key with the same dotted name as a label, next to pod A's metadata.
    docs.push({ '@timestamp': at(40), log: 'both', 'kubernetes.labels.app': 'flat2', kubernetes: podA })
    for (let i = 0; i < 30; i++) docs.push({ '@timestamp': at(100 + i), log: `beta ${i}`, kubernetes: podB })
    // `kubernetes` first (another shipper's key order): never split.
    for (let i = 0; i < 10; i++) docs.push({ kubernetes: podC, '@timestamp': at(200 + i), log: `gamma ${i}` })
    for (let i = 0; i < 5; i++)
      docs.push({ '@timestamp': at(300 + i), log: `mixed ${i}`, 'kubernetes.labels.app': 'flat' })
    await bulk(s.es, docs, 'logs-shared')
  })
  after(async () => {
    await s.dispose()
  })

  const search = (body: object) => postJson(`${s.ui}/api/search`, { ...RANGE, ...body })
  const count = async (query: string) => {
    const r = await search({ query, size: 0, track_total_hits: true })
    assert.equal(r.status, 200, r.text)
    return r.json().total
  }

  test('most rows reference their pod metadata; some keep it whole', async () => {
    const src = s.store.source(0, Number.MAX_SAFE_INTEGER)
    const [r] = await s.store.query(
      `SELECT count(*) FILTER (WHERE kid IS NOT NULL) AS split, count(*) FILTER (WHERE kid IS NULL) AS whole FROM ${src}`,
    )
    assert.ok(Number(r!.split) >= 60, `split ${r!.split}`)
    assert.ok(Number(r!.whole) >= 15, `whole ${r!.whole}`)
    const shared = await s.store.query(`SELECT count(*) AS n FROM ${s.store.sharedSource(0, Number.MAX_SAFE_INTEGER)}`)
    assert.equal(Number(shared[0]!.n), 2)
  })

  test('hits are the documents as sent, split or not', async () => {
    const j = await assertHitsAsSent(s, docs)
    // the same key order whether the metadata came from the row (first line) or the shared table
    const byLog = new Map(j.hits.map((h: any) => [h.log, h]))
    const strip = (h: any) => {
      const o = { ...h }
      for (const k of ['_id', '@timestamp', 'log', 'user']) delete o[k]
      return JSON.stringify(o)
    }
    assert.equal(strip(byLog.get('alpha 1')), strip(byLog.get('alpha 0')))
    assert.equal(strip(byLog.get('beta 2')), strip(byLog.get('beta 0')))
    assert.deepEqual(Object.keys((byLog.get('alpha 5') as any).kubernetes), [
      'pod_name',
      'namespace_name',
      'container_name',
      'host',
      'labels',
      'annotations',
    ])
    const projected = (await search({ query: 'beta', size: 1, fields: ['kubernetes.labels.version'] })).json()
    assert.equal(projected.hits[0]['kubernetes.labels.version'], '10')
  })

  const labelCases: Array<[string, number]> = [
    ['kubernetes.labels.app:web', 51],
    ['kubernetes.labels.app:db', 30],
    ['kubernetes.labels.app:flat', 5],
    ['kubernetes.labels.app:flat2', 0],
    ['kubernetes.labels.app:"db"', 30],
    ['kubernetes.labels.app:d*', 30],
    ['kubernetes.labels.app:*e*', 51],
    ['kubernetes.labels.app:*', 86],
    ['kubernetes.labels.tier:front', 41],
    ['kubernetes.labels.tier:*', 51],
    ['not kubernetes.labels.tier:*', 35],
    ['not kubernetes.labels.tier:front', 45],
    ['kubernetes.annotations.owner:alice', 41],
    ['kubernetes.annotations.owner:bob', 10],
    ['not kubernetes.annotations.owner:alice', 45],
    ['kubernetes.labels.version >= 5', 30],
    ['kubernetes.labels.version < 5', 51],
    ['kubernetes.labels.version:3', 51],
    ['kubernetes.labels.*:front', 41],
    ['kubernetes:{ labels.app:db }', 30],
    ['kubernetes.pod_name:web-1', 41],
    ['kubernetes.namespace_name:shop and not kubernetes.labels.app:web', 30],
    ['kubernetes.labels.app:db or log:"mixed 1"', 31],
    ['not (kubernetes.labels.app:web or kubernetes.labels.app:db)', 5],
    ['nosuch.label:x', 0],
  ]

  test('labels and annotations: match, exists, not, ranges, wildcards, phrases, nested', async () => {
    for (const [q, n] of labelCases) assert.equal(await count(q), n, q)
  })

  test('the same with the shared parts matched by a subquery (more ids than are listed)', async () => {
    FieldResolver.maxListedIds = 0
    try {
      for (const [q, n] of labelCases) assert.equal(await count(q), n, q)
    } finally {
      FieldResolver.maxListedIds = 5000
    }
  })

  test('fields of the row and of its shared part together', async () => {
    const cases: Array<[string, number]> = [
      ['user.id:* and kubernetes.labels.app:web', 10],
      ['user.id:* and not kubernetes.labels.tier:front', 0],
      ['user.id >= 20 and kubernetes.annotations.owner:alice', 5],
      ['alpha and kubernetes.labels.tier:front', 40],
      ['alpha and not kubernetes.labels.tier:front', 0],
      ['both and kubernetes.labels.tier:front', 1],
      ['gamma and kubernetes.labels.tier:back', 10],
      ['kubernetes.labels.tier:back or user.id:0', 11],
    ]
    for (const [q, n] of cases) assert.equal(await count(q), n, q)
  })

  test('top values, histogram split and fields list of labels', async () => {
    const values = async (field: string, extra: object = {}) =>
      (await postJson(`${s.ui}/api/field-values`, { ...RANGE, field, ...extra })).json()
    assert.deepEqual((await values('kubernetes.labels.app')).values, [
      { value: 'web', count: 51 },
      { value: 'db', count: 30 },
      { value: 'flat', count: 5 },
    ])
    const tier = await values('kubernetes.labels.tier')
    assert.equal(tier.total, 51)
    assert.deepEqual(tier.values, [
      { value: 'front', count: 41 },
      { value: 'back', count: 10 },
    ])
    assert.deepEqual((await values('kubernetes.labels.tier', { prefix: 'F' })).values, [{ value: 'front', count: 41 }])
    assert.deepEqual((await values('kubernetes.annotations.owner', { query: 'not gamma' })).values, [
      { value: 'alice', count: 41 },
    ])
    assert.deepEqual((await values('kubernetes.namespace_name')).values, [
      { value: 'shop', count: 71 },
      { value: 'other', count: 10 },
    ])

    const h = (
      await postJson(`${s.ui}/api/histogram`, { ...RANGE, split: 'kubernetes.labels.app', interval: '1m' })
    ).json()
    const sums: Record<string, number> = {}
    for (const b of h.buckets)
      for (const [k, n] of Object.entries(b.split as Record<string, number>)) sums[k] = (sums[k] ?? 0) + n
    assert.deepEqual(sums, { web: 51, db: 30, flat: 5 })
    const f = (await postJson(`${s.ui}/api/histogram`, { ...RANGE, query: 'kubernetes.labels.tier:front' })).json()
    assert.equal(
      f.buckets.reduce((n: number, b: any) => n + b.count, 0),
      41,
    )

    const fields = (await postJson(`${s.ui}/api/fields`, RANGE)).json()
    const byName = new Map(fields.fields.map((x: any) => [x.name, x]))
    assert.deepEqual(byName.get('kubernetes.annotations.owner'), {
      name: 'kubernetes.annotations.owner',
      type: 'string',
      count: 51,
    })
    assert.equal((byName.get('kubernetes.labels.version') as any).count, 81)
  })

  test('context of a hit whose metadata is shared has its neighbours whole', async () => {
    const hit = (await search({ query: 'log:"alpha 5"', size: 1 })).json().hits[0]
    const c = (await postJson(`${s.ui}/api/context`, { id: hit._id, before: 2, after: 2 })).json()
    assert.deepEqual(
      [...c.before, c.hit, ...c.after].map((x: any) => x.log),
      ['alpha 3', 'alpha 4', 'alpha 5', 'alpha 6', 'alpha 7'],
    )
    for (const x of [...c.before, c.hit, ...c.after]) assert.deepEqual(x.kubernetes, podA)
  })
})

describe('a data directory written before rows referenced shared parts', () => {
  let dir: string
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('opens, queries its rows alike, and takes new rows that reference shared parts', async () => {
    dir = tempDir()
    const now = Date.now()
    const day = new Date(now).toISOString().slice(0, 10)
    mkdirSync(join(dir, 'parts'), { recursive: true })
    // The partition layout of the version before: no `kid` column, no `shared` table.
    const inst = await DuckDBInstance.create(':memory:')
    const c = await inst.connect()
    await c.run(`ATTACH '${join(dir, 'parts', `${day}.duckdb`)}' AS p ${PARTITION_ATTACH_OPTIONS}`)
    await c.run(`CREATE TABLE p.logs (ts TIMESTAMP NOT NULL, seq BIGINT NOT NULL, idx VARCHAR NOT NULL, ns VARCHAR, pod VARCHAR, ctr VARCHAR,
      host VARCHAR, stream VARCHAR, level VARCHAR, msg VARCHAR, mkey UTINYINT, time VARCHAR, id VARCHAR, rest VARCHAR)`)
    await c.run('CREATE TABLE p.applied (seg BIGINT NOT NULL)')
    const restOld = JSON.stringify({ kubernetes: { labels: { app: 'old' } } })
    for (let i = 0; i < 3; i++)
      await c.run(`INSERT INTO p.logs VALUES (make_timestamp(${(now - 60_000 + i) * 1000}), ${i}, 'logs-old', 'ns1', 'pod-old', NULL, NULL,
        NULL, NULL, 'old ${i}', 1, NULL, NULL, '${restOld}')`)
    c.closeSync()
    inst.closeSync()
    writeFileSync(
      join(dir, 'catalog.ndjson'),
      `${JSON.stringify({ name: 'kubernetes.labels.app', ptr: '/kubernetes/labels/app', type: 'string' })}\n`,
    )

    const s = await testServer({ dataDir: dir })
    try {
      const k8s = { pod_name: 'pod-new', namespace_name: 'ns1', labels: { app: 'old' } }
      await bulk(
        s.es,
        Array.from({ length: 5 }, (_, i) => ({
          '@timestamp': new Date(now - 30_000 + i).toISOString(),
          log: `new ${i}`,
          kubernetes: k8s,
        })),
        'logs-new',
      )
      const src = s.store.source(0, Number.MAX_SAFE_INTEGER)
      const [r] = await s.store.query(`SELECT count(*) FILTER (WHERE kid IS NOT NULL) AS split FROM ${src}`)
      assert.ok(Number(r!.split) >= 3)
      const search = (query: string) => postJson(`${s.ui}/api/search`, { ...RANGE, query, size: 20, sort: 'asc' })
      const j = (await search('kubernetes.labels.app:old')).json()
      assert.equal(j.total, 8)
      assert.deepEqual(
        j.hits.map((h: any) => [h.log, h.kubernetes]),
        [
          ...[0, 1, 2].map((i) => [`old ${i}`, { pod_name: 'pod-old', namespace_name: 'ns1', labels: { app: 'old' } }]),
          ...[0, 1, 2, 3, 4].map((i) => [`new ${i}`, k8s]),
        ],
      )
      assert.equal((await search('not kubernetes.labels.app:old')).json().total, 0)
      assert.equal((await search('kubernetes.labels.app:* and old')).json().total, 3)
      const v = (await postJson(`${s.ui}/api/field-values`, { ...RANGE, field: 'kubernetes.labels.app' })).json()
      assert.deepEqual(v.values, [{ value: 'old', count: 8 }])
    } finally {
      await s.close()
    }
  })
})

describe('CRI records (transcoded at parse: es/source-transcode.ts)', () => {
  let s: TestServer
  const docs: Array<Record<string, unknown>> = []
  before(async () => {
    s = await testServer()
    // Fluent Bit's cri parser leaves `logtag`, its cri multiline parser `_p`: kept in the row's own rest
    for (let i = 0; i < 10; i++)
      docs.push({ '@timestamp': at(i), stream: 'stdout', logtag: 'F', message: `cri ${i}`, kubernetes: podB })
    for (let i = 0; i < 5; i++)
      docs.push({
        '@timestamp': at(20 + i),
        time: at(20 + i),
        stream: 'stderr',
        _p: 'P',
        log: `cri-ml ${i}`,
        kubernetes: podA,
      })
    await bulk(s.es, docs, 'logs-cri')
  })
  after(async () => {
    await s.dispose()
  })
  const search = (body: object) => postJson(`${s.ui}/api/search`, { ...RANGE, ...body })

  test('hits are the documents as sent; their tags are fields like any other', async () => {
    await assertHitsAsSent(s, docs)
    const count = async (query: string) => (await search({ query, size: 0, track_total_hits: true })).json().total
    assert.equal(await count('logtag:F'), 10)
    assert.equal(await count('_p:P and kubernetes.labels.app:web'), 5)
    assert.equal(await count('message:"cri 3"'), 1)
    const f = await postJson(`${s.ui}/api/fields`, RANGE)
    assert.equal(f.status, 200, f.text)
    const names = new Set(f.json().fields.map((x: { name: string }) => x.name))
    for (const n of ['logtag', '_p', 'message', 'log', 'stream', 'time', 'kubernetes.labels.app'])
      assert.ok(names.has(n), n)
  })
})
