// OTLP/HTTP logs receiver (OpenTelemetry Protocol specification, "OTLP/HTTP"): POST /v1/logs with an
// ExportLogsServiceRequest as binary protobuf (application/x-protobuf) or OTLP/JSON
// (application/json: lowerCamelCase names, 64-bit integers as strings or numbers, trace and span ids
// as hex). The reply is an ExportLogsServiceResponse in the request's encoding, sent after the
// records are durable; records that cannot be stored are counted in `partialSuccess`.
//
// Record shape: the body (a string → `message`; a map → its keys), `level` from severityText,
// `attributes` and `resource` as objects of their attributes, Kubernetes resource attributes
// (k8s.namespace.name, k8s.pod.name, k8s.container.name, k8s.node.name) as Fluent Bit's kubernetes
// fields so they land in the store's columns.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '@sluice/core/log.ts'
import type { AgentTracker } from '../agents.ts'
import type { Principal } from '../auth.ts'
import { allows } from '../auth.ts'
import { agentName } from '../es/api.ts'
import { HttpError, readBody } from '../http/util.ts'
import type { Metrics } from '../metrics.ts'
import { BusyError, type PreparedRow, type Store } from '../store/store.ts'
import { ExportLogsServiceRequest, ExportLogsServiceResponse, RpcStatus } from './proto.ts'

export const OTLP_INDEX = 'otlp-logs'
const MAX_BODY = 64 * 1024 * 1024

type Obj = Record<string, unknown>

function get(o: unknown, camel: string): unknown {
  if (o === null || typeof o !== 'object') return undefined
  const r = o as Obj
  if (camel in r) return r[camel]
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  return r[snake]
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

function hex(v: unknown): string | undefined {
  if (v instanceof Uint8Array) return v.length > 0 ? Buffer.from(v).toString('hex') : undefined
  if (typeof v === 'string' && v !== '') return v.toLowerCase()
  return undefined
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v)
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean }
    return l.high * 2 ** 32 + (l.low >>> 0)
  }
  return undefined
}

/** Nanoseconds (string/number/Long) → microseconds; undefined when absent or zero. */
function nanosToMicros(v: unknown): number | undefined {
  if (typeof v === 'string' && /^\d+$/.test(v)) {
    const n = v.length > 3 ? Number(v.slice(0, -3)) : 0
    return n > 0 ? n : undefined
  }
  const n = num(v)
  return n && n > 0 ? Math.floor(n / 1000) : undefined
}

export function anyValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return undefined
  const s = get(v, 'stringValue')
  if (s !== undefined && s !== null) return String(s)
  const b = get(v, 'boolValue')
  if (b !== undefined && b !== null) return Boolean(b)
  const i = get(v, 'intValue')
  if (i !== undefined && i !== null) return num(i)
  const d = get(v, 'doubleValue')
  if (d !== undefined && d !== null) return Number(d)
  const a = get(v, 'arrayValue')
  if (a) return list(get(a, 'values')).map(anyValue)
  const kv = get(v, 'kvlistValue')
  if (kv) return attributes(get(kv, 'values'))
  const by = get(v, 'bytesValue')
  if (by instanceof Uint8Array) return Buffer.from(by).toString('base64')
  if (typeof by === 'string') return by
  return undefined
}

function attributes(v: unknown): Obj {
  const out: Obj = {}
  for (const kv of list(v)) {
    const k = get(kv, 'key')
    if (typeof k === 'string') out[k] = anyValue(get(kv, 'value'))
  }
  return out
}

const K8S: Record<string, string> = {
  'k8s.namespace.name': 'namespace_name',
  'k8s.pod.name': 'pod_name',
  'k8s.container.name': 'container_name',
  'k8s.node.name': 'host',
}

/** The records of one request, in order, with their timestamps (µs) when given. */
export function otlpRecords(req: unknown): Array<{ body: Obj; tsUs?: number }> {
  const out: Array<{ body: Obj; tsUs?: number }> = []
  for (const rl of list(get(req, 'resourceLogs'))) {
    const resource = attributes(get(get(rl, 'resource'), 'attributes'))
    const k8s: Obj = {}
    for (const [attr, key] of Object.entries(K8S)) if (typeof resource[attr] === 'string') k8s[key] = resource[attr]
    for (const sl of list(get(rl, 'scopeLogs'))) {
      const scope = get(sl, 'scope')
      const scopeName = get(scope, 'name')
      for (const lr of list(get(sl, 'logRecords'))) {
        const body: Obj = {}
        const b = anyValue(get(lr, 'body'))
        if (b !== null && typeof b === 'object' && !Array.isArray(b)) Object.assign(body, b)
        else if (b !== undefined) body.message = typeof b === 'string' ? b : JSON.stringify(b)
        const sev = get(lr, 'severityText')
        if (typeof sev === 'string' && sev !== '') body.level = sev
        const sevN = num(get(lr, 'severityNumber'))
        if (sevN) body.severity_number = sevN
        const attrs = attributes(get(lr, 'attributes'))
        if (Object.keys(attrs).length > 0) body.attributes = attrs
        if (Object.keys(resource).length > 0) body.resource = resource
        if (Object.keys(k8s).length > 0) body.kubernetes = { ...k8s }
        if (typeof scopeName === 'string' && scopeName !== '')
          body.scope = { name: scopeName, version: get(scope, 'version') || undefined }
        const trace = hex(get(lr, 'traceId'))
        if (trace) body.trace_id = trace
        const span = hex(get(lr, 'spanId'))
        if (span) body.span_id = span
        const ev = get(lr, 'eventName')
        if (typeof ev === 'string' && ev !== '') body.event_name = ev
        out.push({
          body,
          tsUs: nanosToMicros(get(lr, 'timeUnixNano')) ?? nanosToMicros(get(lr, 'observedTimeUnixNano')),
        })
      }
    }
  }
  return out
}

export interface OtlpDeps {
  readonly store: Store
  readonly metrics: Metrics
  readonly log: Logger
  readonly agents: AgentTracker
}

export function createOtlpHandler(
  deps: OtlpDeps,
): (req: IncomingMessage, res: ServerResponse, p: Principal) => Promise<void> {
  const rejected = deps.metrics.counter(
    'sluice_otlp_rejected_records_total',
    'OTLP log records that could not be stored',
  )
  return async (req, res, p) => {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase()
    const isJson = type === 'application/json'
    const reply = (status: number, json: Obj) => {
      const body = isJson ? Buffer.from(JSON.stringify(json)) : Buffer.from(encodeMsg(status, json))
      res.writeHead(status, {
        'content-type': isJson ? 'application/json' : 'application/x-protobuf',
        'content-length': body.length,
      })
      res.end(body)
    }
    const encodeMsg = (status: number, json: Obj): Uint8Array =>
      status === 200
        ? ExportLogsServiceResponse.encode(ExportLogsServiceResponse.fromObject(json)).finish()
        : RpcStatus.encode(RpcStatus.fromObject(json)).finish()
    try {
      if (!allows(p, 'ingest')) throw new HttpError(403, 'forbidden', `'${p.name}' may not ingest`)
      if (!isJson && type !== 'application/x-protobuf' && type !== 'application/protobuf')
        throw new HttpError(
          415,
          'unsupported',
          `unsupported Content-Type '${type}' (use application/x-protobuf or application/json)`,
        )
      const raw = await readBody(req, MAX_BODY)
      let decoded: unknown
      try {
        decoded = isJson
          ? JSON.parse(raw.toString('utf8'))
          : ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(raw), { longs: String })
      } catch (e) {
        throw new HttpError(400, 'bad_request', `cannot decode the ExportLogsServiceRequest: ${(e as Error).message}`)
      }
      const recs = otlpRecords(decoded)
      const nowUs = Date.now() * 1000
      const rows: PreparedRow[] = []
      const errors: string[] = []
      for (const r of recs) {
        const x = deps.store.prepare({ body: r.body, index: OTLP_INDEX, tsUs: r.tsUs }, nowUs)
        if ('error' in x) errors.push(x.error)
        else rows.push(x)
      }
      await deps.store.commit(rows, 'otlp')
      deps.agents.seen(agentName(req, p), rows.length)
      if (errors.length > 0) {
        rejected({}, errors.length)
        deps.store.ingest.errors += errors.length
        deps.log.warn(`otlp: rejected ${errors.length} log record(s): ${errors[0]}`)
        return reply(200, { partialSuccess: { rejectedLogRecords: String(errors.length), errorMessage: errors[0] } })
      }
      reply(200, {})
    } catch (e) {
      // OTLP/HTTP: 429 and 503 are retryable; other 4xx are not.
      const status = e instanceof BusyError ? 503 : e instanceof HttpError ? e.status : 500
      const code = status === 503 ? 14 : status === 400 ? 3 : status === 403 ? 7 : 13
      if (status === 500) deps.log.error(`otlp: ${(e as Error).stack ?? e}`)
      if (status === 503) res.setHeader('retry-after', '1')
      reply(status, { code, message: (e as Error).message })
    }
  }
}
