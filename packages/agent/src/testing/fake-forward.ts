// A Fluent Forward receiver for tests (Forward Protocol Specification v1): accepts Message, Forward,
// PackedForward and CompressedPackedForward, the `<security>` shared-key handshake, and `chunk` acks.
// Failure injection: drop the connection instead of acknowledging the next N chunks.

import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { decodeMulti, decodeMultiStream, encode, ExtData } from '@msgpack/msgpack'
import { digests } from '../outputs/forward/protocol.ts'

export interface ForwardRecord {
  readonly tag: string
  readonly sec: number
  readonly nsec: number
  readonly body: Record<string, unknown>
  readonly mode: 'message' | 'forward' | 'packed' | 'compressed'
}

export interface FakeForwardOptions {
  readonly sharedKey?: string
  readonly hostname?: string
  /** user_auth: name → password. */
  readonly users?: Record<string, string>
  /** Serve TLS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer }
  /** Listen on this Unix socket instead of a TCP port. */
  readonly path?: string
}

export interface FakeForward {
  readonly port: number
  readonly records: ForwardRecord[]
  readonly options: Record<string, unknown>[]
  readonly handshakes: { ok: boolean; hostname: string; reason: string }[]
  /** Close the connection instead of acknowledging the next `n` chunks (after storing them). */
  dropAcks(n: number): void
  close(): Promise<void>
}

function toTime(t: unknown): { sec: number; nsec: number } {
  if (t instanceof ExtData && t.type === 0) {
    const d = t.data as Uint8Array
    const v = new DataView(d.buffer, d.byteOffset, 8)
    return { sec: v.getUint32(0), nsec: v.getUint32(4) }
  }
  const n = Number(t)
  return { sec: Math.floor(n), nsec: Math.round((n - Math.floor(n)) * 1e9) }
}

export async function startFakeForward(o: FakeForwardOptions = {}): Promise<FakeForward> {
  const records: ForwardRecord[] = []
  const options: Record<string, unknown>[] = []
  const handshakes: FakeForward['handshakes'] = []
  const sockets = new Set<Socket>()
  let drops = 0
  const hostname = o.hostname ?? 'fake-fluentd'

  async function serve(socket: Socket) {
    const nonce = randomBytes(16)
    const auth = o.users ? randomBytes(16) : new Uint8Array()
    let authed = o.sharedKey === undefined
    if (!authed) socket.write(encode(['HELO', { nonce, auth, keepalive: true }]))
    for await (const msg of decodeMultiStream(socket)) {
      if (!Array.isArray(msg)) return socket.destroy()
      if (!authed) {
        const [kind, clientHost, salt, digest, user, passDigest] = msg as string[]
        let reason = ''
        if (kind !== 'PING') reason = 'expected PING'
        else if (digest !== digests.sha512hex(salt!, clientHost!, nonce, o.sharedKey!)) reason = 'shared_key mismatch'
        else if (
          o.users &&
          (o.users[user!] === undefined || passDigest !== digests.sha512hex(auth, user!, o.users[user!]!))
        )
          reason = 'username/password mismatch'
        const ok = reason === ''
        handshakes.push({ ok, hostname: String(clientHost), reason })
        socket.write(encode(['PONG', ok, reason, hostname, digests.sha512hex(salt!, hostname, nonce, o.sharedKey!)]))
        if (!ok) return socket.end()
        authed = true
        continue
      }
      const tag = String(msg[0])
      let option: Record<string, unknown> | undefined
      if (typeof msg[1] === 'number' || msg[1] instanceof ExtData) {
        const { sec, nsec } = toTime(msg[1])
        records.push({ tag, sec, nsec, body: msg[2] as Record<string, unknown>, mode: 'message' })
        option = msg[3] as Record<string, unknown> | undefined
      } else {
        option = msg[2] as Record<string, unknown> | undefined
        let entries: unknown[]
        let mode: ForwardRecord['mode'] = 'forward'
        if (Array.isArray(msg[1])) entries = msg[1]
        else {
          let bin = msg[1] as Uint8Array
          mode = 'packed'
          if (option?.compressed === 'gzip') {
            bin = gunzipSync(bin)
            mode = 'compressed'
          }
          entries = [...decodeMulti(bin)]
        }
        for (const e of entries) {
          const [t, body] = e as [unknown, Record<string, unknown>]
          records.push({ tag, ...toTime(t), body, mode })
        }
      }
      if (option) options.push(option)
      if (option?.chunk) {
        if (drops > 0) {
          drops--
          return socket.destroy()
        }
        socket.write(encode({ ack: option.chunk }))
      }
    }
  }

  const onSocket = (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => undefined)
    serve(s).catch(() => s.destroy())
  }
  const server: Server = o.tls ? createTlsServer(o.tls, onSocket) : createServer(onSocket)
  await new Promise<void>((r) => (o.path ? server.listen(o.path, r) : server.listen(0, '127.0.0.1', r)))
  return {
    port: o.path ? 0 : (server.address() as AddressInfo).port,
    records,
    options,
    handshakes,
    dropAcks: (n) => {
      drops += n
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
