// The `http` output (fluent-bit/plugins/out_http; docs "HTTP" output): POSTs (or PUTs) each batch to
// Host:Port/URI in msgpack (the default), json, json_lines, json_stream or gelf, optionally gzip'd,
// with Basic auth, extra headers and TLS. One undici Pool per instance keeps connections alive.
// Outcome by status: 2xx delivered; 429, 5xx and connection errors retried (Retry-After honoured);
// any other status is an error that retrying cannot fix, reported with the status and the start of
// the response body. With AWS_Auth, each request is signed with SigV4 for AWS_Service (e.g. `osis`,
// an OpenSearch Ingestion pipeline, as in AWS's Fluent Bit example), credentials from the default AWS
// chain (or AWS_Profile), optionally through AWS_Role_ARN.

import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { gzip as gzipCb, zstdCompress as zstdCb } from 'node:zlib'
import type { LogEvent } from '@sluice/core/record.ts'
import type { Dispatcher } from 'undici'
import { credentialProvider } from '../../aws/credentials.ts'
import { createSigner, type Signer } from '../../aws/sigv4.ts'
import { eventsToMsgpack } from '../../format/event-msgpack.ts'
import { DEFAULT_GELF_KEYS, type GelfKeys, toGelf } from '../../format/gelf.ts'
import { dateKeyOf, type JsonDateFormat, jsonDateFormatOption, jsonDateKeyOption } from '../../format/json-date.ts'
import { formatJsonRecords } from '../../format/json-records.ts'
import { defineOutput, type FlushResult, type OptionProblem, type Rejection } from '../../plugin.ts'
import { outputDispatcher, proxyOptionProblem, routeDescription } from '../proxy.ts'
import { tlsServerName } from '../tls-server-name.ts'

const gzip = promisify(gzipCb)
const zstd = promisify(zstdCb)

export const HTTP_FORMATS = ['msgpack', 'json', 'json_lines', 'json_stream', 'gelf'] as const
export type HttpFormat = (typeof HTTP_FORMATS)[number]

export const httpOptions = {
  host: { type: 'str', default: '127.0.0.1', description: 'Host name or IP address of the HTTP server.' },
  port: { type: 'int', default: '80', description: 'TCP port of the HTTP server.' },
  uri: { type: 'str', default: '/', description: 'Request path, such as /something.' },
  http_method: { type: 'str', default: 'POST', values: ['POST', 'PUT'], description: 'POST or PUT.' },
  format: {
    type: 'str',
    default: 'msgpack',
    values: HTTP_FORMATS,
    description: 'Body format: msgpack, json, json_lines, json_stream or gelf.',
  },
  header: {
    type: 'slist',
    maxSplit: 1,
    multiple: true,
    description: 'A header `Name value` to add to every request (repeatable).',
  },
  header_tag: { type: 'str', description: 'Header that carries the tag of the records.' },
  allow_duplicated_headers: {
    type: 'bool',
    default: 'true',
    description: 'Send every Header as written; off: a Header replaces an earlier one of the same name.',
  },
  compress: {
    type: 'str',
    values: ['gzip', 'zstd'],
    description: 'Body compression: gzip or zstd (Fluent Bit also has snappy, not available here).',
  },
  http_user: { type: 'str', description: 'Basic authentication user.' },
  http_passwd: { type: 'str', default: '', description: 'Basic authentication password (needs http_user).' },
  json_date_key: jsonDateKeyOption,
  json_date_format: jsonDateFormatOption,
  gelf_timestamp_key: { type: 'str', description: 'gelf: record key holding the timestamp.' },
  gelf_host_key: { type: 'str', description: 'gelf: record key holding the host.' },
  gelf_short_message_key: { type: 'str', description: 'gelf: record key holding the short message.' },
  gelf_full_message_key: { type: 'str', description: 'gelf: record key holding the full message.' },
  gelf_level_key: { type: 'str', description: 'gelf: record key holding the level.' },
  log_response_payload: { type: 'bool', default: 'true', description: 'Log the response body of failed requests.' },
  proxy: {
    type: 'str',
    description:
      'HTTP proxy as http://HOST:PORT, sent plain-HTTP requests in absolute form (wins over HTTP_PROXY in the environment).',
  },
  body_key: { type: 'str', description: 'Record key whose raw value is the body.', ignored: 'not implemented' },
  headers_key: { type: 'str', description: 'Record key holding extra headers.', ignored: 'not implemented' },
  aws_auth: {
    type: 'bool',
    default: 'false',
    description: 'Sign requests with AWS SigV4 (needs aws_region and aws_service).',
  },
  aws_region: { type: 'str', description: 'AWS region for SigV4.' },
  aws_service: { type: 'str', description: 'AWS service code for SigV4 (e.g. `osis` for OpenSearch Ingestion).' },
  aws_sts_endpoint: { type: 'str', description: 'Custom STS endpoint (for aws_role_arn).' },
  aws_role_arn: { type: 'str', description: 'AWS IAM role to assume for signing.' },
  aws_external_id: { type: 'str', description: 'External ID for the role.' },
  aws_profile: { type: 'str', description: 'AWS profile name (default: the default credential chain).' },
  tls: { type: 'bool', default: 'off', description: 'Use TLS (https).' },
  'tls.verify': { type: 'bool', default: 'on', description: 'Verify the server certificate.' },
  'tls.ca_file': { type: 'str', description: 'CA certificate file (PEM).' },
  'tls.crt_file': { type: 'str', description: 'Client certificate file (PEM).' },
  'tls.key_file': { type: 'str', description: 'Client private key file (PEM).' },
  'tls.key_passwd': { type: 'str', description: 'Password of the client private key.' },
  'tls.vhost': { type: 'str', description: 'Server name for SNI and certificate checks.' },
  'tls.debug': {
    type: 'int',
    default: '1',
    description: 'TLS debug level.',
    ignored: 'Node.js has no TLS debug levels',
  },
} as const

export interface HttpBodyConfig {
  readonly format: HttpFormat
  readonly dateKey: string | null
  readonly dateFormat: JsonDateFormat
  readonly gelf: GelfKeys
}

const MIME: Record<HttpFormat, string> = {
  msgpack: 'application/msgpack',
  json: 'application/json',
  json_lines: 'application/json',
  json_stream: 'application/json',
  gelf: 'application/json',
}

/** The request body of a batch (before compression), and the records that cannot be in it. */
export function formatHttpBody(
  events: readonly LogEvent[],
  c: HttpBodyConfig,
): { body: string | Buffer; contentType: string; rejected: Rejection[] } {
  const contentType = MIME[c.format]
  if (c.format === 'msgpack') return { body: eventsToMsgpack(events), contentType, rejected: [] }
  if (c.format === 'gelf') {
    let body = ''
    const rejected: Rejection[] = []
    for (const e of events) {
      const g = toGelf(e, c.gelf)
      if ('error' in g) rejected.push({ event: e, reason: g.error })
      else body += g.json + '\n'
    }
    return { body, contentType, rejected }
  }
  return {
    body: formatJsonRecords(events, c.format, { dateKey: c.dateKey, dateFormat: c.dateFormat }),
    contentType,
    rejected: [],
  }
}

/** Request headers as undici takes them (a flat list, so duplicates survive). */
export function requestHeaders(o: {
  contentType: string
  encoding?: 'gzip' | 'zstd'
  user?: string
  passwd: string
  headers: readonly string[][]
  allowDuplicates: boolean
  headerTag?: string
  tag: string
}): string[] {
  const list: [string, string][] = [
    ['content-type', o.contentType],
    ['user-agent', 'Fluent-Bit'],
  ]
  if (o.encoding) list.push(['content-encoding', o.encoding])
  if (o.user !== undefined)
    list.push(['authorization', `Basic ${Buffer.from(`${o.user}:${o.passwd}`).toString('base64')}`])
  if (o.headerTag) list.push([o.headerTag, o.tag])
  for (const h of o.headers) {
    const name = h[0] ?? ''
    const value = h[1] ?? ''
    if (!o.allowDuplicates) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]![0].toLowerCase() === name.toLowerCase()) list.splice(i, 1)
    }
    list.push([name, value])
  }
  return list.flat()
}

/** Retry-After in milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value
  if (v === undefined || v.trim() === '') return undefined
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** FlushResult for an HTTP status and response body. */
export function classifyStatus(status: number, body: string, retryAfter?: number): FlushResult {
  if (status >= 200 && status < 300) return { kind: 'ok' }
  const excerpt = body.length > 512 ? `${body.slice(0, 512)}…` : body
  const reason = `HTTP status ${status}${excerpt ? `: ${excerpt}` : ''}`
  if (status === 429 || status >= 500) return { kind: 'retry', reason, retryAfterMs: retryAfter }
  return { kind: 'error', reason }
}

/** Checks of the aws options together (Fluent Bit refuses to start without region or service). */
export function httpOptionProblems(o: {
  aws_auth: boolean
  aws_region?: string
  aws_service?: string
  proxy?: string
}): OptionProblem[] {
  const problems: OptionProblem[] = []
  const proxy = proxyOptionProblem(o.proxy)
  if (proxy) problems.push({ option: 'proxy', message: proxy })
  if (o.aws_auth && !o.aws_region) problems.push({ option: 'aws_auth', message: 'aws_auth On needs aws_region' })
  if (o.aws_auth && !o.aws_service) problems.push({ option: 'aws_auth', message: 'aws_auth On needs aws_service' })
  return problems
}

/** Header list (as requestHeaders makes it) → one value per lower-case name, as SigV4 signs them. */
function headerRecord(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = list[i]!.toLowerCase()
    out[name] = name in out ? `${out[name]},${list[i + 1]}` : list[i + 1]!
  }
  return out
}

/** A URI's path and query parameters, as the signer takes them. */
function splitUri(uri: string): { path: string; query: Record<string, string | string[]> } {
  const q = uri.indexOf('?')
  if (q < 0) return { path: uri, query: {} }
  const query: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(uri.slice(q + 1))) {
    const prev = query[k]
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return { path: uri.slice(0, q), query }
}

interface HttpState {
  readonly dispatcher: Dispatcher
  /** SigV4 signer when aws_auth is on, and the host name it signs. */
  readonly signer: Signer | undefined
  readonly host: string
  readonly body: HttpBodyConfig
  readonly method: 'POST' | 'PUT'
  readonly path: string
  readonly compress: 'gzip' | 'zstd' | undefined
  readonly headerOpts: Omit<Parameters<typeof requestHeaders>[0], 'contentType' | 'tag'>
  readonly origin: string
  readonly logPayload: boolean
}

export default defineOutput({
  name: 'http',
  description: 'Sends records to an HTTP endpoint (msgpack, JSON or GELF)',
  options: httpOptions,
  // Fluent Bit's default: two concurrent flushes (its plugin's `.workers = 2`)
  defaultWorkers: 2,
  validate: httpOptionProblems,
  async init(o, ctx): Promise<HttpState> {
    const problems = httpOptionProblems(o)
    if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '))
    // undici is loaded when an http output is configured (outputDispatcher): importing it costs every
    // agent start ~0.1 CPU-s and ~25 MB of memory otherwise.
    const read = (p: string | undefined) => (p === undefined ? undefined : readFileSync(ctx.resolvePath(p)))
    const origin = `${o.tls ? 'https' : 'http'}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`
    const dispatcher = await outputDispatcher({
      connections: 8,
      keepAliveTimeout: 30_000,
      connect: o.tls
        ? {
            rejectUnauthorized: o['tls.verify'],
            ca: read(o['tls.ca_file']),
            cert: read(o['tls.crt_file']),
            key: read(o['tls.key_file']),
            passphrase: o['tls.key_passwd'],
            servername: tlsServerName(o['tls.vhost'], o.host),
          }
        : {},
      proxy: o.proxy,
    })
    ctx.log.info(`sending to ${origin} ${routeDescription({ proxy: o.proxy })}`)
    const signer = o.aws_auth
      ? createSigner({
          region: o.aws_region!,
          service: o.aws_service!,
          credentials: credentialProvider({
            region: o.aws_region,
            profile: o.aws_profile,
            roleArn: o.aws_role_arn,
            externalId: o.aws_external_id,
            stsEndpoint: o.aws_sts_endpoint,
          }),
        })
      : undefined
    return {
      dispatcher,
      signer,
      host: o.host,
      body: {
        format: o.format,
        dateKey: dateKeyOf(o.json_date_key),
        dateFormat: o.json_date_format,
        gelf: {
          shortMessage: o.gelf_short_message_key ?? DEFAULT_GELF_KEYS.shortMessage,
          fullMessage: o.gelf_full_message_key ?? DEFAULT_GELF_KEYS.fullMessage,
          host: o.gelf_host_key ?? DEFAULT_GELF_KEYS.host,
          level: o.gelf_level_key ?? DEFAULT_GELF_KEYS.level,
          timestamp: o.gelf_timestamp_key ?? DEFAULT_GELF_KEYS.timestamp,
        },
      },
      method: o.http_method,
      path: o.uri.startsWith('/') ? o.uri : `/${o.uri}`,
      compress: o.compress,
      headerOpts: {
        encoding: o.compress,
        user: o.http_user,
        passwd: o.http_passwd,
        headers: o.header,
        allowDuplicates: o.allow_duplicated_headers,
        headerTag: o.header_tag,
      },
      origin,
      logPayload: o.log_response_payload,
    }
  },
  async flush(events, tag, s, ctx): Promise<FlushResult> {
    const { body, contentType, rejected } = formatHttpBody(events, s.body)
    if (rejected.length === events.length)
      return { kind: 'error', reason: `no record can be sent: ${rejected[0]?.reason ?? 'empty batch'}` }
    const payload = s.compress === 'gzip' ? await gzip(body) : s.compress === 'zstd' ? await zstd(body) : body
    let result: FlushResult
    try {
      const list = requestHeaders({ ...s.headerOpts, contentType, tag })
      const headers = s.signer
        ? await s.signer.sign({
            method: s.method,
            host: s.host,
            ...splitUri(s.path),
            headers: headerRecord(list),
            body: payload,
          })
        : list
      const res = await s.dispatcher.request({
        origin: s.origin,
        method: s.method,
        path: s.path,
        headers,
        body: payload,
        signal: ctx.signal,
      })
      const text = await res.body.text()
      result = classifyStatus(res.statusCode, text, retryAfterMs(res.headers['retry-after']))
      if (result.kind !== 'ok' && s.logPayload) ctx.log.warn(`${s.method} ${s.path}: ${result.reason}`)
    } catch (err) {
      return { kind: 'retry', reason: `cannot send to ${s.origin}${s.path}: ${(err as Error).message}` }
    }
    if (rejected.length === 0 || result.kind !== 'ok') return result
    return { kind: 'partial', reason: 'some records cannot be formatted', retry: [], rejected }
  },
  async stop(s) {
    await s.dispatcher.close()
  },
})
