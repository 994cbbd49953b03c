import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { decode, decodeMulti, ExtData } from '@msgpack/msgpack'
import { startFakeForward } from '../../testing/fake-forward.ts'
import { flushUntilSettled, sampleEvents, startOutput } from '../../testing/plugin-harness.ts'
import { forwardOutput } from './index.ts'
import { checkPong, digests, encodeMessage, eventTime, parseHelo, pingMessage } from './protocol.ts'

const events = sampleEvents(3)

test('protocol: PackedForward is [tag, bin(stream of [EventTime, record])]', () => {
  const msg = decode(encodeMessage('app', events, { mode: 'packed' })) as unknown[]
  assert.equal(msg.length, 2)
  assert.equal(msg[0], 'app')
  const entries = [...decodeMulti(msg[1] as Uint8Array)] as [ExtData, Record<string, unknown>][]
  assert.equal(entries.length, 3)
  assert.ok(entries[0]![0] instanceof ExtData)
  assert.equal(entries[0]![0].type, 0)
  assert.deepEqual(
    [...(entries[0]![0].data as Uint8Array)],
    [...(eventTime(events[0]!.sec, events[0]!.nsec).data as Uint8Array)],
  )
  assert.deepEqual(entries[2]![1], events[2]!.body)
})

test('protocol: Forward mode with Time_as_Integer sends integer seconds in an array', () => {
  const msg = decode(encodeMessage('app', events, { mode: 'forward', timeAsInteger: true })) as [
    string,
    [number, unknown][],
  ]
  assert.deepEqual(msg[1][1], [events[1]!.sec, events[1]!.body])
})

test('protocol: CompressedPackedForward gzips the stream and says so in the options', () => {
  const msg = decode(encodeMessage('app', events, { mode: 'compressed', chunk: 'abc' })) as [
    string,
    Uint8Array,
    Record<string, unknown>,
  ]
  assert.deepEqual(msg[2], { size: 3, chunk: 'abc', compressed: 'gzip' })
  assert.equal([...decodeMulti(gunzipSync(msg[1]))].length, 3)
})

test('protocol: handshake digests (PING from HELO, PONG verified both ways)', () => {
  const helo = parseHelo(['HELO', { nonce: new Uint8Array([1, 2, 3]), auth: new Uint8Array(), keepalive: true }])!
  const c = { selfHostname: 'node-1', sharedKey: 'k' }
  const ping = pingMessage(helo, c, 'salt')
  assert.deepEqual(ping.slice(0, 3), ['PING', 'node-1', 'salt'])
  assert.equal(ping[3], digests.sha512hex('salt', 'node-1', helo.nonce, 'k'))
  const pong = ['PONG', true, '', 'srv', digests.sha512hex('salt', 'srv', helo.nonce, 'k')]
  assert.equal(checkPong(pong, helo, c, 'salt'), undefined)
  assert.match(checkPong(['PONG', true, '', 'srv', 'forged'], helo, c, 'salt')!, /failed the shared key check/)
  assert.match(
    checkPong(['PONG', false, 'shared_key mismatch', 'srv', ''], helo, c, 'salt')!,
    /refused.*shared_key mismatch/,
  )
})

test('forward output: PackedForward with acks delivers every record with its nanosecond time and Tag override', async () => {
  const fake = await startFakeForward()
  try {
    const h = await startOutput(forwardOutput, {
      host: '127.0.0.1',
      port: String(fake.port),
      require_ack_response: 'on',
      tag: 'to-aggregator',
    })
    assert.equal((await h.flush(events, 'kube.x')).kind, 'ok')
    assert.equal((await h.flush(sampleEvents(2, 1_800_000_000), 'kube.y')).kind, 'ok')
    assert.equal(fake.records.length, 5)
    assert.ok(fake.records.every((r) => r.tag === 'to-aggregator' && r.mode === 'packed'))
    assert.deepEqual(fake.records[0], {
      tag: 'to-aggregator',
      sec: events[0]!.sec,
      nsec: 123_456_789,
      body: events[0]!.body,
      mode: 'packed',
    })
    assert.equal(typeof fake.options[0]!.chunk, 'string')
    await h.stop()
  } finally {
    await fake.close()
  }
})

test('forward output: shared key handshake with Self_Hostname and user auth, then gzip', async () => {
  const fake = await startFakeForward({ sharedKey: 'secret', users: { agent: 'pw' } })
  try {
    const h = await startOutput(forwardOutput, {
      host: '127.0.0.1',
      port: String(fake.port),
      shared_key: 'secret',
      self_hostname: 'node-7',
      username: 'agent',
      password: 'pw',
      compress: 'gzip',
      require_ack_response: 'on',
    })
    assert.equal((await h.flush(events, 'app')).kind, 'ok')
    assert.deepEqual(fake.handshakes, [{ ok: true, hostname: 'node-7', reason: '' }])
    assert.ok(fake.records.every((r) => r.mode === 'compressed'))
    assert.equal(fake.records.length, 3)
    await h.stop()
  } finally {
    await fake.close()
  }
})

test('forward output: a wrong shared key is an error naming the hostname, not the key', async () => {
  const fake = await startFakeForward({ sharedKey: 'right' })
  try {
    const h = await startOutput(forwardOutput, {
      host: '127.0.0.1',
      port: String(fake.port),
      shared_key: 'wrong',
      self_hostname: 'node-7',
    })
    const r = await h.flush(events, 'app')
    assert.equal(r.kind, 'error')
    assert.match(
      r.kind === 'error' ? r.reason : '',
      /refused by the receiver: shared_key mismatch \(self_hostname 'node-7'\)/,
    )
    assert.doesNotMatch(r.kind === 'error' ? r.reason : '', /wrong/)
    assert.equal(fake.records.length, 0)
    await h.stop()
  } finally {
    await fake.close()
  }
})

test('forward output: a connection lost before the ack retries the batch on a new connection (at-least-once)', async () => {
  const fake = await startFakeForward()
  try {
    fake.dropAcks(1)
    const h = await startOutput(forwardOutput, {
      host: '127.0.0.1',
      port: String(fake.port),
      require_ack_response: 'on',
    })
    const s = await flushUntilSettled(h, events, 'app')
    assert.deepEqual(
      s.results.map((r) => r.kind),
      ['retry', 'ok'],
    )
    // the receiver stored the first copy before dropping the connection: at-least-once means twice here
    assert.equal(fake.records.length, 6)
    await h.stop()
  } finally {
    await fake.close()
  }
})

test('forward output: nothing listening is a retry with the address in the reason', async () => {
  const fake = await startFakeForward()
  const port = fake.port
  await fake.close()
  const h = await startOutput(forwardOutput, { host: '127.0.0.1', port: String(port) })
  const r = await h.flush(events, 'app')
  assert.equal(r.kind, 'retry')
  assert.match(r.kind === 'retry' ? r.reason : '', new RegExp(`cannot connect to 127.0.0.1:${port}`))
  await h.stop()
})

test('forward output: Secure Forward over TLS with a shared key, verified with tls.ca_file', async () => {
  const dir = join(import.meta.dirname, '../../testing/testdata')
  const fake = await startFakeForward({
    sharedKey: 'k',
    tls: { cert: readFileSync(join(dir, 'localhost-cert.pem')), key: readFileSync(join(dir, 'localhost-key.pem')) },
  })
  try {
    const h = await startOutput(forwardOutput, {
      host: '127.0.0.1',
      port: String(fake.port),
      tls: 'on',
      'tls.ca_file': join(dir, 'localhost-cert.pem'),
      shared_key: 'k',
      require_ack_response: 'on',
    })
    assert.equal((await h.flush(events, 'app')).kind, 'ok')
    assert.equal(fake.records.length, 3)
    await h.stop()
  } finally {
    await fake.close()
  }
})

test('forward output: Unix_Path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-fwd-'))
  const path = join(dir, 'fwd.sock')
  const fake = await startFakeForward({ path })
  try {
    const h = await startOutput(forwardOutput, { unix_path: path, require_ack_response: 'on' })
    assert.equal((await h.flush(events, 'app')).kind, 'ok')
    assert.equal(fake.records.length, 3)
    await h.stop()
  } finally {
    await fake.close()
    await rm(dir, { recursive: true, force: true })
  }
})
