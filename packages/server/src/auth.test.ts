import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request } from 'node:https'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { http, k8sDoc, ndjson, postJson, type TestServer, tempDir, testServer } from './testing.ts'

const TOKENS = {
  ingest: 'ingest-token-0001',
  read: 'read-token-all-0001',
  teamA: 'team-a-token-0001',
}
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
const bearer = (t: string) => `Bearer ${t}`

describe('auth: tokens, scopes, basic auth, namespace restriction', () => {
  let s: TestServer
  before(async () => {
    s = await testServer({
      auth: {
        tokens: [
          { name: 'shipper', token: TOKENS.ingest, scope: 'ingest' },
          { name: 'ops', token: TOKENS.read, scope: 'read' },
          { name: 'team-a', token: TOKENS.teamA, scope: 'read', namespaces: ['team-a'] },
        ],
        users: [{ username: 'elastic', password: 'changeme', scope: 'admin' }],
      },
    })
    const docs = [
      ...Array.from({ length: 6 }, (_, i) => k8sDoc(i, { kubernetes: { namespace_name: 'team-a', pod_name: 'a' } })),
      ...Array.from({ length: 4 }, (_, i) => k8sDoc(i, { kubernetes: { namespace_name: 'team-b', pod_name: 'b' } })),
      { log: 'no namespace at all' },
    ]
    const body = ndjson(docs.flatMap((d) => [{ index: { _index: 'logs' } }, d]))
    const r = await http(`${s.es}/_bulk?refresh=wait_for`, {
      method: 'POST',
      body,
      headers: { authorization: bearer(TOKENS.ingest) },
    })
    assert.equal(r.status, 200)
    assert.equal(r.json().errors, false)
  })
  after(async () => {
    await s.dispose()
  })

  test('the ingest port: 401 without credentials (ES shape), 403 for a read token, basic auth works', async () => {
    const failures = async () => {
      const text = (await http(`${s.ui}/metrics`, { headers: { authorization: bearer(TOKENS.read) } })).text
      const n = (status: string) =>
        Number(
          new RegExp(`^sluice_auth_failures_total\\{port="es",status="${status}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
        )
      return { unauthenticated: n('401'), forbidden: n('403') }
    }
    const before = await failures()
    const none = await http(`${s.es}/_bulk`, { method: 'POST', body: ndjson([{ index: { _index: 'x' } }, {}]) })
    assert.equal(none.status, 401)
    assert.equal(none.json().error.type, 'security_exception')
    assert.match(String(none.headers['www-authenticate']), /^Basic/)
    const wrong = await http(`${s.es}/`, { headers: { authorization: bearer('nope-nope-nope') } })
    assert.equal(wrong.status, 401)
    const ro = await http(`${s.es}/_bulk`, {
      method: 'POST',
      body: ndjson([{ index: { _index: 'x' } }, {}]),
      headers: { authorization: bearer(TOKENS.read) },
    })
    assert.equal(ro.status, 403)
    // seed 004: curl -u elastic:$ES_PASSWORD localhost:9200/_cluster/health?pretty
    const h = await http(`${s.es}/_cluster/health?pretty`, { headers: { authorization: basic('elastic', 'changeme') } })
    assert.equal(h.status, 200)
    assert.equal((await http(`${s.es}/`, { headers: { authorization: basic('elastic', 'bad') } })).status, 401)
    // refusals are counted (sluice_auth_failures_total), by port and status
    const after = await failures()
    assert.deepEqual(
      {
        unauthenticated: after.unauthenticated - before.unauthenticated,
        forbidden: after.forbidden - before.forbidden,
      },
      { unauthenticated: 3, forbidden: 1 },
    )
  })

  test('the query API: 401 without, 403 for an ingest token, health stays open', async () => {
    const none = await postJson(`${s.ui}/api/search`, {})
    assert.equal(none.status, 401)
    assert.equal(none.json().error.type, 'unauthorized')
    const ingest = await postJson(`${s.ui}/api/search`, {}, { authorization: bearer(TOKENS.ingest) })
    assert.equal(ingest.status, 403)
    assert.equal(ingest.json().error.type, 'forbidden')
    assert.equal((await http(`${s.ui}/api/health`)).status, 200)
    assert.equal((await http(`${s.ui}/metrics`)).status, 401)
  })

  test('a namespace-restricted token sees only its namespace, in every endpoint', async () => {
    const range = { from: 'now-1h', to: 'now+1h' }
    const as = (t: string) => ({ authorization: bearer(t) })
    const all = (await postJson(`${s.ui}/api/search`, range, as(TOKENS.read))).json()
    assert.equal(all.total, 11)
    const a = (await postJson(`${s.ui}/api/search`, range, as(TOKENS.teamA))).json()
    assert.equal(a.total, 6)
    assert.ok(a.hits.every((h: any) => h.kubernetes.namespace_name === 'team-a'))
    // Asking for another namespace explicitly does not widen the restriction.
    const sneaky = (
      await postJson(
        `${s.ui}/api/search`,
        { ...range, query: 'kubernetes.namespace_name:team-b or not kubernetes.namespace_name:team-a' },
        as(TOKENS.teamA),
      )
    ).json()
    assert.equal(sneaky.total, 0)
    const hist = (await postJson(`${s.ui}/api/histogram`, range, as(TOKENS.teamA))).json()
    assert.equal(
      hist.buckets.reduce((n: number, b: any) => n + b.count, 0),
      6,
    )
    const values = (
      await postJson(`${s.ui}/api/field-values`, { ...range, field: 'kubernetes.namespace_name' }, as(TOKENS.teamA))
    ).json()
    assert.deepEqual(values.values, [{ value: 'team-a', count: 6 }])
    const fields = (await postJson(`${s.ui}/api/fields`, range, as(TOKENS.teamA))).json()
    assert.equal(fields.fields.find((f: any) => f.name === '@timestamp').count, 6)
    const bHit = all.hits.find((h: any) => h.kubernetes?.namespace_name === 'team-b')
    const ctx = await postJson(`${s.ui}/api/context`, { id: bHit._id }, as(TOKENS.teamA))
    assert.equal(ctx.status, 404)
    const tailNoAuth = await http(`${s.ui}/api/tail`)
    assert.equal(tailNoAuth.status, 401)
    const tail = await new Promise<number>((resolve) => {
      const req = httpRequest(`${s.ui}/api/tail?access_token=${TOKENS.teamA}`, (res) => {
        resolve(res.statusCode!)
        req.destroy()
      })
      req.end()
    })
    assert.equal(tail, 200)
    const basicAdmin = await postJson(`${s.ui}/api/search`, range, { authorization: basic('elastic', 'changeme') })
    assert.equal(basicAdmin.json().total, 11)
  })
})

describe('TLS', () => {
  let s: TestServer
  const dir = tempDir('sluice-tls-')
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  before(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    )
    s = await testServer({ tls: { cert, key } })
  })
  after(async () => {
    await s.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  test('both HTTP ports serve HTTPS with the configured certificate', async () => {
    const get = (url: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(url, { ca: readFileSync(cert) }, (res) => {
          let body = ''
          res.on('data', (c) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode!, body }))
        })
        req.on('error', reject)
        req.end()
      })
    const es = await get(`https://127.0.0.1:${s.esPort}/`)
    assert.equal(es.status, 200)
    assert.equal(JSON.parse(es.body).tagline, 'You Know, for Search')
    const ui = await get(`https://127.0.0.1:${s.uiPort}/api/health`)
    assert.equal(ui.status, 200)
    await assert.rejects(http(`http://127.0.0.1:${s.esPort}/`))
  })
})
