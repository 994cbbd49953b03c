import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { decodeMultiStream, encode } from '@msgpack/msgpack'
import { postJson, type TestServer, testServer } from '../testing.ts'
import { EventTime, forwardCodec } from './server.ts'

const enc = (v: unknown) => encode(v, { extensionCodec: forwardCodec })

/** A forward client: send values, read decoded replies in order. */
async function client(
  port: number,
): Promise<{ sock: Socket; send(v: unknown): void; next(): Promise<any>; closed: Promise<void> }> {
  const sock = connect(port, '127.0.0.1')
  await new Promise((r) => sock.once('connect', r))
  const it = decodeMultiStream(sock)[Symbol.asyncIterator]()
  const closed = new Promise<void>((r) => sock.once('close', () => r()))
  return {
    sock,
    send: (v) => sock.write(enc(v)),
    next: async () => (await it.next()).value,
    closed,
  }
}

const sha512 = (...p: Array<string | Uint8Array>) => {
  const h = createHash('sha512')
  for (const x of p) h.update(x)
  return h.digest('hex')
}

describe('forward input', () => {
  let s: TestServer
  before(async () => {
    s = await testServer()
  })
  after(async () => {
    await s.dispose()
  })
  const search = async (query: string) =>
    (await postJson(`${s.ui}/api/search`, { query, from: '2026-01-01T00:00:00Z', to: 'now+1h', sort: 'asc' })).json()

  test('all four modes, each acknowledged with its chunk id after it is durable', async () => {
    const c = await client(s.forwardPort!)
    const t = new EventTime(1795305600, 123456789)
    c.send([
      'app.message',
      t,
      { log: 'fwd message mode', kubernetes: { namespace_name: 'fwd', pod_name: 'p1' } },
      { chunk: 'c1' },
    ])
    assert.deepEqual(await c.next(), { ack: 'c1' })
    c.send([
      'app.forward',
      [
        [1795305601, { log: 'fwd forward mode 1' }],
        [new EventTime(1795305602, 0), { log: 'fwd forward mode 2' }],
      ],
      { chunk: 'c2' },
    ])
    assert.deepEqual(await c.next(), { ack: 'c2' })
    const packed = Buffer.concat([
      enc([new EventTime(1795305603, 5), { log: 'fwd packed 1' }]),
      enc([1795305604, { log: 'fwd packed 2' }]),
    ])
    c.send(['app.packed', packed, { chunk: 'c3', size: 2 }])
    assert.deepEqual(await c.next(), { ack: 'c3' })
    c.send(['app.gz', gzipSync(packed), { chunk: 'c4', size: 2, compressed: 'gzip' }])
    assert.deepEqual(await c.next(), { ack: 'c4' })
    // Without a chunk there is no ack, but the record is stored.
    c.send(['app.noack', 1795305605, { log: 'fwd no ack' }])
    c.sock.end()
    await c.closed
    await s.store.refresh()
    const r = await search('log:fwd')
    assert.deepEqual(
      r.hits.map((h: any) => [h.log, h.tag, h['@timestamp']]),
      [
        ['fwd message mode', 'app.message', '2026-11-22T00:00:00.123456Z'],
        ['fwd forward mode 1', 'app.forward', '2026-11-22T00:00:01.000Z'],
        ['fwd forward mode 2', 'app.forward', '2026-11-22T00:00:02.000Z'],
        ['fwd packed 1', 'app.packed', '2026-11-22T00:00:03.000Z'],
        ['fwd packed 1', 'app.gz', '2026-11-22T00:00:03.000Z'],
        ['fwd packed 2', 'app.packed', '2026-11-22T00:00:04.000Z'],
        ['fwd packed 2', 'app.gz', '2026-11-22T00:00:04.000Z'],
        ['fwd no ack', 'app.noack', '2026-11-22T00:00:05.000Z'],
      ],
    )
    assert.equal(r.hits[0].kubernetes.namespace_name, 'fwd')
    assert.equal(s.store.ingest.bySource.forward, 8)
  })

  test('a protocol error closes that connection only, with a counter', async () => {
    const c = await client(s.forwardPort!)
    c.sock.write(encode({ not: 'an array' }))
    await c.closed
    assert.match(s.metrics.render(), /sluice_forward_protocol_errors_total\{reason="protocol"\} 1/)
    const ok = await client(s.forwardPort!)
    ok.send(['x', 1795305606, { log: 'after error' }, { chunk: 'z' }])
    assert.deepEqual(await ok.next(), { ack: 'z' })
    ok.sock.end()
  })
})

describe('forward input with shared_key', () => {
  let s: TestServer
  before(async () => {
    s = await testServer({ forward: { sharedKey: 's3cret', selfHostname: 'sluice-test' } })
  })
  after(async () => {
    await s.dispose()
  })

  test('HELO, PING with the right digest, PONG with the server digest, then events', async () => {
    const c = await client(s.forwardPort!)
    const helo = await c.next()
    assert.equal(helo[0], 'HELO')
    const nonce: Uint8Array = helo[1].nonce
    assert.equal(nonce.length, 16)
    const salt = randomBytes(16)
    c.send(['PING', 'client-host', salt, sha512(salt, 'client-host', nonce, 's3cret'), '', ''])
    const pong = await c.next()
    assert.deepEqual(pong, ['PONG', true, '', 'sluice-test', sha512(salt, 'sluice-test', nonce, 's3cret')])
    c.send(['k.tag', 1795305607, { log: 'keyed' }, { chunk: 'k1' }])
    assert.deepEqual(await c.next(), { ack: 'k1' })
    c.sock.end()
  })

  test('a wrong key gets PONG false and the connection is closed; events before PING are refused', async () => {
    const c = await client(s.forwardPort!)
    const helo = await c.next()
    const salt = randomBytes(16)
    c.send(['PING', 'intruder', salt, sha512(salt, 'intruder', helo[1].nonce, 'wrong'), '', ''])
    const pong = await c.next()
    assert.equal(pong[0], 'PONG')
    assert.equal(pong[1], false)
    assert.match(pong[2], /shared_key/)
    await c.closed
    const d = await client(s.forwardPort!)
    await d.next() // HELO
    d.send(['k.tag', 1795305608, { log: 'sneaky' }, { chunk: 'x' }])
    await d.closed
    await s.store.refresh()
    const r = await postJson(`${s.ui}/api/search`, { query: 'sneaky', from: '2026-01-01T00:00:00Z', to: 'now+1h' })
    assert.equal(r.json().total, 0)
    assert.equal(s.store.ingest.bySource.forward, 1) // only 'keyed', from the authenticated connection
  })
})
