import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, beforeEach, describe, it } from 'node:test'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
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
