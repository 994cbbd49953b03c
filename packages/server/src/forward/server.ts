// Fluent forward input (Fluentd Forward Protocol Specification v1), so that Fluent Bit's and
// Fluentd's `forward` outputs ship here unchanged. All four event modes are accepted:
//   Message                  [tag, time, record, option?]
//   Forward                  [tag, [[time, record], …], option?]
//   PackedForward            [tag, bin(msgpack stream of [time, record]), option?]
//   CompressedPackedForward  the same with option.compressed = 'gzip'
// `time` is an integer, a float, or the EventTime extension (type 0: uint32 seconds, uint32 nanos,
// big-endian). With option.chunk the client waits for `{ack: chunk}`, which is sent only after the
// records are durable (WAL fdatasync). With a shared key the server starts with HELO and requires a
// valid PING (sha512 of salt, hostname, nonce and key) before any event, answering PONG.

import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { decodeMulti, decodeMultiStream, ExtensionCodec, encode } from '@msgpack/msgpack'
import type { Logger } from '@sluice/core/log.ts'
import type { AgentTracker } from '../agents.ts'
import type { Metrics } from '../metrics.ts'
import { BusyError, type PreparedRow, type Store } from '../store/store.ts'

export interface ForwardOptions {
  readonly host: string
  readonly port: number
  /** Shared key for the HELO/PING/PONG handshake; unset = no handshake. */
  readonly sharedKey?: string
  /** Our hostname in PONG. */
  readonly selfHostname?: string
  /** Index name the records are stored under. */
  readonly index?: string
}

export interface ForwardDeps {
  readonly store: Store
  readonly metrics: Metrics
  readonly log: Logger
  readonly agents: AgentTracker
}

class EventTime {
  readonly sec: number
  readonly nsec: number
  constructor(sec: number, nsec: number) {
    this.sec = sec
    this.nsec = nsec
  }
}

const codec = new ExtensionCodec()
codec.register({
  type: 0,
  encode: (v: unknown) => {
    if (!(v instanceof EventTime)) return null
    const b = new Uint8Array(8)
    const dv = new DataView(b.buffer)
    dv.setUint32(0, v.sec)
    dv.setUint32(4, v.nsec)
    return b
  },
  decode: (data: Uint8Array) => {
    if (data.length !== 8) throw new Error(`EventTime must be 8 bytes, got ${data.length}`)
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
    return new EventTime(dv.getUint32(0), dv.getUint32(4))
  },
})

/** For tests and clients: the EventTime extension and a matching encoder. */
export { codec as forwardCodec, EventTime }

export const DEFAULT_FORWARD_INDEX = 'fluent-forward'

function timeMicros(t: unknown): number | undefined {
  if (t instanceof EventTime) return t.sec * 1_000_000 + Math.floor(t.nsec / 1000)
  if (typeof t === 'number' && Number.isFinite(t) && t >= 0) return Math.round(t * 1_000_000)
  if (typeof t === 'bigint') return Number(t) * 1_000_000
  return undefined
}

/** Msgpack `bin` values become text; nested maps and arrays are converted recursively. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8')
  if (v instanceof EventTime) return v.sec + v.nsec / 1e9
  if (typeof v === 'bigint') return Number(v)
  if (Array.isArray(v)) return v.map(plain)
  if (v instanceof Map) {
    const o: Record<string, unknown> = {}
    for (const [k, x] of v) o[String(k)] = plain(x)
    return o
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    for (const k in o) {
      const x = o[k]
      if (x !== null && typeof x === 'object') o[k] = plain(x)
      else if (typeof x === 'bigint') o[k] = Number(x)
    }
    return o
  }
  return v
}

const sha512 = (...parts: Array<string | Uint8Array>) => {
  const h = createHash('sha512')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

export async function startForward(opts: ForwardOptions, deps: ForwardDeps): Promise<{ server: Server; port: number }> {
  const { store, log, metrics } = deps
  const index = opts.index ?? DEFAULT_FORWARD_INDEX
  const selfHostname = opts.selfHostname ?? 'sluice'
  const protoErrors = metrics.counter(
    'sluice_forward_protocol_errors_total',
    'Forward connections closed for a protocol error, by reason',
  )
  const badRecords = metrics.counter(
    'sluice_forward_rejected_records_total',
    'Forward records rejected (bad time or record)',
  )
  const conns = new Set<Socket>()

  const handle = async (sock: Socket) => {
    const peer = `${sock.remoteAddress}:${sock.remotePort}`
    let agent = `forward@${sock.remoteAddress}`
    const nonce = randomBytes(16)
    let authed = opts.sharedKey === undefined
    if (!authed) sock.write(encode(['HELO', { nonce, auth: new Uint8Array(0), keepalive: true }]))
    const inflight: Promise<unknown>[] = []

    const commit = async (rows: PreparedRow[]): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        try {
          await store.commit(rows, 'forward')
          deps.agents.seen(agent, rows.length)
          return
        } catch (e) {
          // Busy: hold this connection (TCP backpressure) until the store catches up.
          if (!(e instanceof BusyError) || sock.destroyed) throw e
          await new Promise((r) => setTimeout(r, Math.min(1000, 50 * (attempt + 1))))
        }
      }
    }

    const toRow = (tag: string, time: unknown, record: unknown, nowUs: number): PreparedRow | null => {
      const tsUs = timeMicros(time)
      const body = plain(record)
      if (tsUs === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
        badRecords({ reason: tsUs === undefined ? 'time' : 'record' })
        store.ingest.errors++
        log.warn(
          `forward ${peer}: dropped a record of tag '${tag}': ${tsUs === undefined ? `bad time ${String(time)}` : 'the record is not a map'}`,
        )
        return null
      }
      const b = body as Record<string, unknown>
      if (!('tag' in b)) b.tag = tag
      const r = store.prepare({ body: b, index, tsUs }, nowUs)
      if ('error' in r) {
        badRecords({ reason: 'record' })
        store.ingest.errors++
        log.warn(`forward ${peer}: dropped a record of tag '${tag}': ${r.error}`)
        return null
      }
      return r
    }

    const entries = (tag: string, list: unknown[], nowUs: number): PreparedRow[] => {
      const rows: PreparedRow[] = []
      for (const e of list) {
        if (!Array.isArray(e) || e.length < 2) {
          badRecords({ reason: 'entry' })
          store.ingest.errors++
          continue
        }
        const r = toRow(tag, e[0], e[1], nowUs)
        if (r) rows.push(r)
      }
      return rows
    }

    try {
      for await (const msg of decodeMultiStream(sock, { extensionCodec: codec, useBigInt64: false })) {
        if (!Array.isArray(msg) || msg.length < 2) throw new Error('an event must be an array [tag, …]')
        const head = msg[0] instanceof Uint8Array ? plain(msg[0]) : msg[0]
        if (!authed) {
          if (head !== 'PING') throw new Error(`expected PING after HELO, got ${JSON.stringify(head)}`)
          const [, hostname, salt, digest] = msg as [string, unknown, Uint8Array | string, unknown]
          const host = String(plain(hostname))
          const saltBuf = typeof salt === 'string' ? Buffer.from(salt) : Buffer.from(salt as Uint8Array)
          const expect = sha512(saltBuf, host, nonce, opts.sharedKey!)
          const ok = String(plain(digest)) === expect
          sock.write(
            encode([
              'PONG',
              ok,
              ok ? '' : 'shared_key mismatch',
              selfHostname,
              ok ? sha512(saltBuf, selfHostname, nonce, opts.sharedKey!) : '',
            ]),
          )
          if (!ok) {
            protoErrors({ reason: 'auth' })
            log.warn(`forward ${peer}: refused: shared_key mismatch (hostname '${host}')`)
            sock.end()
            return
          }
          authed = true
          agent = `forward@${host}`
          continue
        }
        if (typeof head !== 'string') throw new Error('the tag must be a string')
        const tag = head
        const nowUs = Date.now() * 1000
        const second = msg[1]
        let rows: PreparedRow[]
        let option: unknown
        if (Array.isArray(second)) {
          rows = entries(tag, second, nowUs) // Forward mode
          option = msg[2]
        } else if (second instanceof Uint8Array || typeof second === 'string') {
          option = msg[2]
          const opt = (option ?? {}) as Record<string, unknown>
          let bin = typeof second === 'string' ? Buffer.from(second, 'latin1') : (second as Uint8Array)
          if (opt.compressed === 'gzip') bin = gunzipSync(bin) // CompressedPackedForward (concatenated gzip members too)
          rows = entries(tag, [...decodeMulti(bin, { extensionCodec: codec })], nowUs)
        } else {
          const r = toRow(tag, second, msg[2], nowUs) // Message mode
          rows = r ? [r] : []
          option = msg[3]
        }
        const chunk =
          option && typeof option === 'object'
            ? (plain((option as Record<string, unknown>).chunk) as string | undefined)
            : undefined
        if (chunk !== undefined) {
          await Promise.all(inflight.splice(0))
          await commit(rows)
          sock.write(encode({ ack: chunk }))
        } else if (rows.length > 0) {
          // No ack requested: pipeline, but bounded.
          const p = commit(rows).catch((e) =>
            log.error(`forward ${peer}: cannot store ${rows.length} record(s): ${(e as Error).message}`),
          )
          inflight.push(p)
          if (inflight.length >= 64) await inflight.shift()
        }
      }
      await Promise.all(inflight)
    } catch (e) {
      protoErrors({ reason: 'protocol' })
      log.warn(`forward ${peer}: closing the connection: ${(e as Error).message}`)
      sock.destroy()
    }
  }

  const server = createServer((sock) => {
    conns.add(sock)
    sock.on('close', () => conns.delete(sock))
    sock.on('error', () => {})
    void handle(sock)
  })
  const origClose = server.close.bind(server)
  server.close = ((cb?: (err?: Error) => void) => {
    for (const c of conns) c.end()
    return origClose(cb)
  }) as typeof server.close
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `cannot listen on ${opts.host}:${opts.port} (forward): ${e.code === 'EADDRINUSE' ? 'the port is in use; choose another with --forward-port' : e.message}`,
        ),
      ),
    )
    server.listen(opts.port, opts.host, () => resolve((server.address() as { port: number }).port))
  })
  return { server, port }
}
