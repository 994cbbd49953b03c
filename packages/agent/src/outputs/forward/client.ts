// One Forward connection (TCP, TLS or a Unix socket): the optional shared-key handshake, writes, and
// `ack` responses matched to their chunk ids. Any protocol or socket error closes it; the next flush
// opens a new one.

import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { decodeMultiStream, encode } from '@msgpack/msgpack'
import { tlsServerName } from '../tls-server-name.ts'
import { type Credentials, checkPong, parseHelo, pingMessage } from './protocol.ts'

export interface ForwardClientOptions {
  readonly host: string
  readonly port: number
  readonly unixPath?: string
  readonly tls: boolean
  readonly tlsVerify: boolean
  readonly caFile?: string
  readonly crtFile?: string
  readonly keyFile?: string
  readonly keyPasswd?: string
  readonly vhost?: string
  /** Set when the receiver expects the `<security>` handshake. */
  readonly credentials?: Credentials
  readonly connectTimeoutMs: number
}

export class ForwardError extends Error {
  /** True when retrying cannot help (the receiver refused our credentials). */
  readonly fatal: boolean
  constructor(message: string, fatal = false) {
    super(message)
    this.fatal = fatal
  }
}

export interface Connection {
  write(buf: Uint8Array): Promise<void>
  waitAck(chunk: string, timeoutMs: number): Promise<void>
  readonly closed: boolean
  close(): void
}

export async function openConnection(o: ForwardClientOptions): Promise<Connection> {
  const socket: Socket = await new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const onErr = (e: Error) => {
      clearTimeout(timer)
      reject(new ForwardError(`cannot connect to ${where(o)}: ${e.message}`))
    }
    let s: Socket
    if (o.unixPath) s = netConnect({ path: o.unixPath })
    else if (o.tls)
      // node:tls loads only for a TLS connection
      s = process.getBuiltinModule('node:tls').connect({
        host: o.host,
        port: o.port,
        servername: tlsServerName(o.vhost, o.host),
        rejectUnauthorized: o.tlsVerify,
        ca: o.caFile ? readFileSync(o.caFile) : undefined,
        cert: o.crtFile ? readFileSync(o.crtFile) : undefined,
        key: o.keyFile ? readFileSync(o.keyFile) : undefined,
        passphrase: o.keyPasswd,
      })
    else s = netConnect({ host: o.host, port: o.port })
    timer = setTimeout(() => {
      s.destroy()
      reject(new ForwardError(`cannot connect to ${where(o)}: timed out after ${o.connectTimeoutMs} ms`))
    }, o.connectTimeoutMs)
    s.once('error', onErr)
    s.once(o.tls && !o.unixPath ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer)
      s.off('error', onErr)
      resolve(s)
    })
  })

  let closed = false
  let failure: Error | undefined
  const acks = new Map<string, { resolve: () => void; reject: (e: Error) => void }>()
  const waiting: { resolve: (m: unknown) => void; reject: (e: Error) => void }[] = []
  const fail = (e: Error) => {
    if (closed) return
    closed = true
    failure = e
    socket.destroy()
    for (const a of acks.values()) a.reject(e)
    acks.clear()
    for (const w of waiting.splice(0)) w.reject(e)
  }
  socket.on('error', (e) => fail(new ForwardError(`connection to ${where(o)} failed: ${e.message}`)))
  socket.on('close', () => fail(new ForwardError(`connection to ${where(o)} closed by the receiver`)))

  // Reader: handshake messages go to whoever waits for the next message; acks to their chunk.
  ;(async () => {
    try {
      for await (const msg of decodeMultiStream(socket)) {
        const ack = msg && typeof msg === 'object' && !Array.isArray(msg) ? (msg as { ack?: unknown }).ack : undefined
        if (typeof ack === 'string') {
          acks.get(ack)?.resolve()
          acks.delete(ack)
        } else {
          const w = waiting.shift()
          if (w) w.resolve(msg)
          else fail(new ForwardError(`unexpected message from ${where(o)}: ${JSON.stringify(msg)?.slice(0, 100)}`))
        }
      }
    } catch (e) {
      fail(new ForwardError(`cannot decode a message from ${where(o)}: ${(e as Error).message}`))
    }
  })()

  const nextMessage = (timeoutMs: number) =>
    new Promise<unknown>((resolve, reject) => {
      if (closed) return reject(failure)
      const t = setTimeout(
        () => reject(new ForwardError(`no handshake message from ${where(o)} within ${timeoutMs} ms`)),
        timeoutMs,
      )
      waiting.push({
        resolve: (m) => {
          clearTimeout(t)
          resolve(m)
        },
        reject: (e) => {
          clearTimeout(t)
          reject(e)
        },
      })
    })

  const conn: Connection = {
    get closed() {
      return closed
    },
    write: (buf) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(failure)
        socket.write(buf, (err) =>
          err ? reject(new ForwardError(`cannot write to ${where(o)}: ${err.message}`)) : resolve(),
        )
      }),
    waitAck: (chunk, timeoutMs) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(failure)
        const t = setTimeout(() => {
          acks.delete(chunk)
          // The receiver may be slow, or may have lost it: the connection can no longer be trusted.
          fail(new ForwardError(`no ack for chunk ${chunk} from ${where(o)} within ${timeoutMs} ms`))
          reject(new ForwardError(`no ack for chunk ${chunk} from ${where(o)} within ${timeoutMs} ms`))
        }, timeoutMs)
        acks.set(chunk, {
          resolve: () => {
            clearTimeout(t)
            resolve()
          },
          reject: (e) => {
            clearTimeout(t)
            reject(e)
          },
        })
      }),
    close: () => {
      if (!closed) {
        closed = true
        socket.end()
      }
    },
  }

  if (o.credentials) {
    try {
      const helo = parseHelo(await nextMessage(o.connectTimeoutMs))
      if (!helo)
        throw new ForwardError(
          `${where(o)} did not start the shared key handshake (no HELO): is <security> configured there?`,
        )
      const salt = randomBytes(16).toString('hex')
      await conn.write(encode(pingMessage(helo, o.credentials, salt)))
      const err = checkPong(await nextMessage(o.connectTimeoutMs), helo, o.credentials, salt)
      if (err) {
        const who = `self_hostname '${o.credentials.selfHostname}'${o.credentials.username ? `, username '${o.credentials.username}'` : ''}`
        throw new ForwardError(`${err} (${who})`, /refused/.test(err))
      }
    } catch (e) {
      fail(e as Error)
      throw e
    }
  }
  return conn
}

function where(o: ForwardClientOptions): string {
  return o.unixPath ? `unix:${o.unixPath}` : `${o.host}:${o.port}`
}
