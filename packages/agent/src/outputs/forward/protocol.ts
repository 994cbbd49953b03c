// Fluentd Forward Protocol Specification v1 (fluent/fluentd wiki, "Forward Protocol Specification v1"),
// the pure part: message encoding and the shared-key handshake digests. No sockets here.
//
//   Forward                  [tag, [[time, record], …], option?]
//   PackedForward            [tag, bin(msgpack stream of [time, record]), option?]
//   CompressedPackedForward  [tag, bin(gzip of that stream), {compressed: "gzip", …}]
//   option                   {size: entries, chunk: base64 id (with require_ack_response), compressed?}
//   time                     EventTime: ext type 0, 8 bytes: seconds and nanoseconds, big-endian uint32
//   handshake                server [HELO, {nonce, auth, keepalive}] → client [PING, hostname, salt,
//                            hex(sha512(salt+hostname+nonce+key)), user, hex(sha512(auth+user+password))]
//                            → server [PONG, ok, reason, hostname, hex(sha512(salt+hostname+nonce+key))]

import { createHash, randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { Encoder, ExtData } from '@msgpack/msgpack'
import type { LogEvent } from '@sluice/core/record.ts'

export type ForwardMode = 'forward' | 'packed' | 'compressed'

const encoder = new Encoder({ ignoreUndefined: true })

/** EventTime (ext type 0): seconds and nanoseconds as two big-endian uint32. */
export function eventTime(sec: number, nsec: number): ExtData {
  const b = new Uint8Array(8)
  const v = new DataView(b.buffer)
  v.setUint32(0, sec >>> 0)
  v.setUint32(4, nsec >>> 0)
  return new ExtData(0, b)
}

function entry(e: LogEvent, timeAsInteger: boolean): unknown[] {
  return [timeAsInteger ? e.sec : eventTime(e.sec, e.nsec), e.body]
}

/** The msgpack stream of `[time, record]` entries that (Compressed)PackedForward carries. */
export function packEntries(events: readonly LogEvent[], timeAsInteger = false): Uint8Array {
  const parts = events.map((e) => encoder.encode(entry(e, timeAsInteger)))
  return Buffer.concat(parts)
}

/** A 16-byte random chunk id, base64 (what `require_ack_response` sends and the `ack` echoes). */
export function newChunkId(): string {
  return randomBytes(16).toString('base64')
}

export interface MessageOptions {
  readonly mode: ForwardMode
  readonly timeAsInteger?: boolean
  readonly chunk?: string
  readonly sendOptions?: boolean
}

/** Encodes one Forward-protocol message carrying a batch. */
export function encodeMessage(tag: string, events: readonly LogEvent[], o: MessageOptions): Uint8Array {
  const option: Record<string, unknown> = {}
  if (o.sendOptions || o.chunk || o.mode === 'compressed') option.size = events.length
  if (o.chunk) option.chunk = o.chunk
  if (o.mode === 'compressed') option.compressed = 'gzip'
  const withOption = Object.keys(option).length > 0
  let entries: unknown
  if (o.mode === 'forward') entries = events.map((e) => entry(e, o.timeAsInteger ?? false))
  else {
    const stream = packEntries(events, o.timeAsInteger)
    entries = o.mode === 'compressed' ? gzipSync(stream) : stream
  }
  return encoder.encode(withOption ? [tag, entries, option] : [tag, entries])
}

const sha512hex = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha512')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

export interface Helo {
  readonly nonce: Uint8Array
  readonly auth: Uint8Array
  readonly keepalive: boolean
}

/** Reads a HELO message; undefined when it is not one. */
export function parseHelo(msg: unknown): Helo | undefined {
  if (!Array.isArray(msg) || msg[0] !== 'HELO' || !msg[1] || typeof msg[1] !== 'object') return undefined
  const o = msg[1] as Record<string, unknown>
  const bin = (v: unknown) => (v instanceof Uint8Array ? v : typeof v === 'string' ? Buffer.from(v) : new Uint8Array())
  return { nonce: bin(o.nonce), auth: bin(o.auth), keepalive: o.keepalive !== false }
}

export interface Credentials {
  readonly selfHostname: string
  readonly sharedKey: string
  readonly username?: string
  readonly password?: string
}

export function pingMessage(helo: Helo, c: Credentials, salt: string = randomBytes(16).toString('hex')): unknown[] {
  const digest = sha512hex(salt, c.selfHostname, helo.nonce, c.sharedKey)
  const user = c.username ?? ''
  const pass = c.username ? sha512hex(helo.auth, user, c.password ?? '') : ''
  return ['PING', c.selfHostname, salt, digest, user, pass]
}

/** Checks a PONG: the server accepted us and proved it knows the shared key. Returns an error or undefined. */
export function checkPong(msg: unknown, helo: Helo, c: Credentials, salt: string): string | undefined {
  if (!Array.isArray(msg) || msg[0] !== 'PONG') return `expected PONG, got ${JSON.stringify(msg)?.slice(0, 100)}`
  const [, ok, reason, hostname, digest] = msg as [string, boolean, string, string, string]
  if (!ok) return `handshake refused by the receiver: ${reason || 'no reason given'}`
  const expected = sha512hex(salt, String(hostname), helo.nonce, c.sharedKey)
  if (digest !== expected) return `receiver ${hostname} failed the shared key check (its PONG digest does not match)`
  return undefined
}

/** Server side of the digests, for tests and the Sluice server's forward input. */
export const digests = { sha512hex }
