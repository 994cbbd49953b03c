// One HTTP sender for Elasticsearch and OpenSearch bulk requests and the CloudWatch Logs API (undici):
// authentication (basic, ApiKey, AWS SigV4), gzip, TLS, extra signed headers. It never throws for delivery problems: every outcome, including a
// connection error and a body cut short, comes back as a value, with whatever body bytes arrived.

import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import type { Dispatcher, request } from 'undici'
import type { Signer } from '../../aws/sigv4.ts'
import { loadUndici } from '../../lazy-deps.ts'
import { outputDispatcher } from '../proxy.ts'
import { tlsServerName } from '../tls-server-name.ts'

export interface SenderOptions {
  readonly host: string
  readonly port: number
  readonly tls: boolean
  readonly tlsVerify: boolean
  readonly caFile?: string
  readonly crtFile?: string
  readonly keyFile?: string
  readonly keyPasswd?: string
  readonly vhost?: string
  readonly authHeader?: string
  readonly signer?: Signer
  readonly gzip: boolean
  readonly connectTimeoutMs: number
  /** Whole-request timeout (headers and body). */
  readonly timeoutMs: number
  readonly keepAlive: boolean
  readonly userAgent?: string
}

export type SendResult =
  | {
      readonly kind: 'response'
      readonly status: number
      readonly headers: Record<string, string | string[] | undefined>
      readonly body: string
      /** The body ended early (connection closed before Content-Length bytes). */
      readonly cut: boolean
      readonly cutError?: string
    }
  | { readonly kind: 'network'; readonly error: string }

export interface Sender {
  send(
    method: string,
    path: string,
    /** A string is sent as UTF-8; bytes as they are. */
    body: string | Uint8Array | undefined,
    signal?: AbortSignal,
    contentType?: string,
    /** More request headers (signed with the others when SigV4 is on). */
    extraHeaders?: Readonly<Record<string, string>>,
  ): Promise<SendResult>
  close(): Promise<void>
}

export function createSender(o: SenderOptions): Sender {
  // TLS files are read now, so a missing or unreadable one fails the output's start-up
  const connect = {
    timeout: o.connectTimeoutMs,
    rejectUnauthorized: o.tlsVerify,
    ca: o.caFile ? readFileSync(o.caFile) : undefined,
    cert: o.crtFile ? readFileSync(o.crtFile) : undefined,
    key: o.keyFile ? readFileSync(o.keyFile) : undefined,
    passphrase: o.keyPasswd,
    servername: o.tls ? tlsServerName(o.vhost, o.host) : undefined,
  }
  let dispatcher: Promise<Dispatcher> | undefined
  let closed = false
  const origin = `${o.tls ? 'https' : 'http'}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`

  return {
    async send(method, path, body, signal, contentType = 'application/x-ndjson', extraHeaders) {
      const payload =
        body === undefined ? undefined : o.gzip ? gzipSync(body) : typeof body === 'string' ? Buffer.from(body) : body
      let headers: Record<string, string> = body === undefined ? {} : { 'content-type': contentType }
      if (extraHeaders) Object.assign(headers, extraHeaders)
      if (o.userAgent) headers['user-agent'] = o.userAgent
      if (o.gzip && payload) headers['content-encoding'] = 'gzip'
      if (o.authHeader) headers.authorization = o.authHeader
      const q = path.indexOf('?')
      const pathname = q < 0 ? path : path.slice(0, q)
      if (o.signer) {
        try {
          const query: Record<string, string | string[]> = {}
          if (q >= 0) for (const [k, v] of new URLSearchParams(path.slice(q + 1))) query[k] = v
          // Amazon OpenSearch Service expects the Host header without the port, signed as sent
          // (Fluent Bit strips the port from Host before signing, flb_http_strip_port_from_host)
          headers = await o.signer.sign({ method, host: o.host, path: pathname, query, headers, body: payload ?? '' })
          headers.host = o.host
        } catch (err) {
          return { kind: 'network', error: `cannot sign request with SigV4: ${(err as Error).message}` }
        }
      }
      let res: Awaited<ReturnType<typeof request>>
      try {
        const undici = await loadUndici()
        if (closed) return { kind: 'network', error: 'the sender is closed' }
        // direct, or through HTTP_PROXY/HTTPS_PROXY unless NO_PROXY lists the host (proxy.ts)
        dispatcher ??= outputDispatcher({
          connect,
          keepAliveTimeout: o.keepAlive ? 30_000 : 1,
          pipelining: o.keepAlive ? 1 : 0,
        })
        res = await undici.request(origin + path, {
          method: method as 'POST',
          headers,
          body: payload,
          dispatcher: await dispatcher,
          signal,
          headersTimeout: o.timeoutMs,
          bodyTimeout: o.timeoutMs,
        })
      } catch (err) {
        return { kind: 'network', error: describeNetworkError(err) }
      }
      const chunks: Buffer[] = []
      let cutError: string | undefined
      try {
        for await (const c of res.body) chunks.push(c as Buffer)
      } catch (err) {
        cutError = describeNetworkError(err)
      }
      return {
        kind: 'response',
        status: res.statusCode,
        headers: res.headers as Record<string, string | string[] | undefined>,
        body: Buffer.concat(chunks).toString('utf8'),
        cut: cutError !== undefined,
        cutError,
      }
    },
    close: async () => {
      closed = true
      await (await dispatcher)?.close()
    },
  }
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = e.cause?.code ?? e.code
  const msg = e.cause?.message ?? e.message ?? String(err)
  return code ? `${code}: ${msg}` : msg
}
