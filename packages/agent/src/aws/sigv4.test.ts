import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { createSigner } from './sigv4.ts'

interface Vector {
  name: string
  method: string
  path: string
  query: [string, string][]
  headers: Record<string, string>
  authz: string
}
const suite = JSON.parse(readFileSync(new URL('./testdata/sigv4-vectors.json', import.meta.url), 'utf8')) as {
  accessKeyId: string
  secretAccessKey: string
  region: string
  service: string
  host: string
  date: string
  cases: Vector[]
}

for (const v of suite.cases) {
  test(`SigV4 test suite: ${v.name}`, async () => {
    const token = v.headers['X-Amz-Security-Token']
    const headers = { ...v.headers }
    delete headers['X-Amz-Security-Token']
    const signer = createSigner({
      region: suite.region,
      service: suite.service,
      credentials: { accessKeyId: suite.accessKeyId, secretAccessKey: suite.secretAccessKey, sessionToken: token },
      contentSha256: false,
    })
    const query: Record<string, string | string[]> = {}
    for (const [k, val] of v.query) {
      const prev = query[k]
      query[k] = prev === undefined ? val : Array.isArray(prev) ? [...prev, val] : [prev, val]
    }
    const signed = await signer.sign(
      { method: v.method, host: suite.host, path: v.path, query, headers, body: '' },
      new Date(suite.date),
    )
    assert.equal(signed.authorization, v.authz)
    assert.equal(signed['x-amz-date'], '20150830T123600Z')
  })
}

test('SigV4 adds x-amz-content-sha256 for OpenSearch Serverless (aoss) requests', async () => {
  const signer = createSigner({
    region: 'us-east-1',
    service: 'aoss',
    credentials: { accessKeyId: suite.accessKeyId, secretAccessKey: suite.secretAccessKey },
  })
  const signed = await signer.sign(
    { method: 'POST', host: 'x.us-east-1.aoss.amazonaws.com', path: '/_bulk', headers: {}, body: '' },
    new Date(suite.date),
  )
  // SHA-256 of the empty body
  assert.equal(signed['x-amz-content-sha256'], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  assert.match(signed.authorization!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date/)
})
