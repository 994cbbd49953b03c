import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, beforeEach, describe, it } from 'node:test'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import { createSigner } from '../../aws/sigv4.ts'
import { startOutput } from '../../testing/plugin-harness.ts'
import http from './http.ts'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  rawHeaders: string[]
  body: Buffer
}

describe('http output against a real server', () => {
  let server: Server
  let port: number
  const seen: Seen[] = []
  let reply: (req: Seen) => { status: number; body?: string; headers?: Record<string, string> } = () => ({
    status: 200,
  })

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const s: Seen = {
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
        }
        seen.push(s)
        const r = reply(s)
        res.writeHead(r.status, r.headers)
        res.end(r.body ?? '')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  beforeEach(() => {
    seen.length = 0
    reply = () => ({ status: 200 })
  })
  const events = [
    { sec: 1795332600, nsec: 500000000, body: { log: 'a' } },
    { sec: 1795332601, nsec: 0, body: { log: 'b' } },
  ]
  const opts = () => ({ host: '127.0.0.1', port: String(port) })

  it('POSTs json_lines with headers and basic auth', async () => {
    const h = await startOutput(http, {
      ...opts(),
      uri: '/ingest',
      format: 'json_lines',
      http_user: 'alice',
      http_passwd: 's3cret',
      header_tag: 'X-Tag',
    })
    const e = { ...events[0]!, body: { log: 'a' } }
    assert.deepEqual(await h.flush([e], 'kube.x'), { kind: 'ok' })
    const s = seen[0]!
    assert.equal(s.method, 'POST')
    assert.equal(s.url, '/ingest')
    assert.equal(s.headers['content-type'], 'application/json')
    assert.equal(s.headers['x-tag'], 'kube.x')
    assert.equal(s.headers.authorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`)
    assert.equal(s.body.toString(), '{"date":1795332600.5,"log":"a"}\n')
    await h.stop()
  })

  it('gzips the body', async () => {
    const h = await startOutput(http, { ...opts(), format: 'json', compress: 'gzip' })
    assert.deepEqual(await h.flush(events, 't'), { kind: 'ok' })
    const s = seen[0]!
    assert.equal(s.headers['content-encoding'], 'gzip')
    assert.equal(gunzipSync(s.body).toString(), '[{"date":1795332600.5,"log":"a"},{"date":1795332601.0,"log":"b"}]')
    await h.stop()
  })

  it('zstd-compresses the body', async () => {
    const h = await startOutput(http, { ...opts(), format: 'json_lines', compress: 'zstd' })
    assert.deepEqual(await h.flush(events, 't'), { kind: 'ok' })
    assert.equal(seen[0]!.headers['content-encoding'], 'zstd')
    assert.equal(
      zstdDecompressSync(seen[0]!.body).toString(),
      '{"date":1795332600.5,"log":"a"}\n{"date":1795332601.0,"log":"b"}\n',
    )
    await h.stop()
  })

  it('sends msgpack by default', async () => {
    const h = await startOutput(http, opts())
    await h.flush(events, 't')
    assert.equal(seen[0]!.headers['content-type'], 'application/msgpack')
    assert.ok(seen[0]!.body.length > 0)
    await h.stop()
  })

  it('retries 429 and 5xx with Retry-After, errors on other 4xx with the body excerpt', async () => {
    const h = await startOutput(http, { ...opts(), format: 'json', log_response_payload: 'off' })
    reply = () => ({ status: 429, body: 'slow down', headers: { 'retry-after': '7' } })
    assert.deepEqual(await h.flush(events, 't'), {
      kind: 'retry',
      reason: 'HTTP status 429: slow down',
      retryAfterMs: 7000,
    })
    reply = () => ({ status: 502, body: 'bad gateway' })
    assert.equal((await h.flush(events, 't')).kind, 'retry')
    reply = () => ({ status: 400, body: '{"error":"mapping"}' })
    assert.deepEqual(await h.flush(events, 't'), { kind: 'error', reason: 'HTTP status 400: {"error":"mapping"}' })
    await h.stop()
  })

  it('retries when the server cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const deadPort = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const h = await startOutput(http, { host: '127.0.0.1', port: String(deadPort), format: 'json' })
    const r = await h.flush(events, 't')
    assert.equal(r.kind, 'retry')
    assert.match((r as { reason: string }).reason, /cannot send to http:\/\/127\.0\.0\.1/)
    await h.stop()
  })

  // AWS's example for an OpenSearch Ingestion pipeline (Amazon OpenSearch Service developer guide,
  // "Using an OpenSearch Ingestion pipeline with Fluent Bit"): http output, aws_auth, aws_service osis.
  it('aws_auth signs each request with SigV4 over the bytes sent (AWS OpenSearch Ingestion example)', async () => {
    const saved = { ...process.env }
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey
    delete process.env.AWS_PROFILE
    delete process.env.AWS_ROLE_ARN
    delete process.env.AWS_SESSION_TOKEN
    try {
      const h = await startOutput(http, {
        ...opts(),
        uri: '/log/ingest?source=sluice',
        format: 'json',
        compress: 'gzip',
        aws_auth: 'true',
        aws_region: 'us-east-1',
        aws_service: 'osis',
      })
      assert.deepEqual(await h.flush(events, 't'), { kind: 'ok' })
      await h.stop()
      const s = seen[0]!
      const auth = String(s.headers.authorization)
      const m =
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/us-east-1\/osis\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
          auth,
        )
      assert.ok(m, auth)
      const signedHeaders = m[2]!.split(';')
      assert.ok(signedHeaders.includes('content-encoding') && signedHeaders.includes('x-amz-date'), m[2])
      assert.equal(s.headers['x-amz-content-sha256'], createHash('sha256').update(s.body).digest('hex'))
      // The signature verifies: signing what the server received, at the request's x-amz-date, gives it.
      const d = String(s.headers['x-amz-date'])
      const date = new Date(
        `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
      )
      const received: Record<string, string> = {}
      for (const name of signedHeaders) if (name !== 'host') received[name] = String(s.headers[name])
      const again = await createSigner({ region: 'us-east-1', service: 'osis', credentials }).sign(
        {
          method: 'POST',
          host: '127.0.0.1',
          path: '/log/ingest',
          query: { source: 'sluice' },
          headers: received,
          body: s.body,
        },
        date,
      )
      assert.equal(again.authorization, auth)
      assert.equal(s.url, '/log/ingest?source=sluice')
    } finally {
      process.env = saved
    }
  })

  it('aws_auth without aws_region or aws_service does not start', async () => {
    await assert.rejects(
      startOutput(http, { ...opts(), aws_auth: 'on', aws_service: 'osis' }),
      /aws_auth On needs aws_region/,
    )
    await assert.rejects(
      startOutput(http, { ...opts(), aws_auth: 'on', aws_region: 'eu-west-1' }),
      /aws_auth On needs aws_service/,
    )
  })

  it('PUT with http_method and a custom header', async () => {
    const h = await startOutput(http, {
      ...opts(),
      http_method: 'PUT',
      header: 'X-Api-Key abc 123',
      format: 'json_stream',
    })
    await h.flush(events, 't')
    assert.equal(seen[0]!.method, 'PUT')
    assert.equal(seen[0]!.headers['x-api-key'], 'abc 123')
    assert.equal(seen[0]!.body.toString(), '{"date":1795332600.5,"log":"a"}{"date":1795332601.0,"log":"b"}')
    await h.stop()
  })
})
