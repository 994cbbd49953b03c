// A faithful fake Elasticsearch/OpenSearch for tests: a node:http server on 127.0.0.1 that speaks the
// bulk wire format as the Elasticsearch reference documents it ("Bulk API": NDJSON request, per-item
// statuses, `errors: true`, error bodies) and stores documents by index and `_id`, so a test can count
// exactly what arrived and prove there are no duplicates.
//
// Modelled behaviours: create/index/update (+doc_as_upsert) semantics, 409 version_conflict_engine_exception
// on `create` of an existing id, auto ids, dynamic mapping conflicts between a leaf and an object at the
// same path (the `app` vs `app.kubernetes.io/name` problem, answered as mapper_parsing_exception or, on
// Elasticsearch ≥ 8.8, document_parsing_exception), index templates that keep label keys flat
// (subobjects: false, flattened, flat_object), `_type` refused by 8.x, gzip request bodies, basic and
// ApiKey authentication with 401 security_exception, http.max_content_length → 413.
//
// Failure injection, scripted per test: `failNext(...)` queues whole-request faults for the next bulk
// requests (a status with an error body, a connection reset before or after applying the request, a
// truncated response body), and `itemFault` decides per item (429 es_rejected_execution_exception,
// a mapping error, a 503 …).

import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export interface FakeEsOptions {
  readonly flavor?: 'elasticsearch' | 'opensearch'
  /** Version reported on `GET /` (default 8.15.0, or 2.11.0 for OpenSearch). */
  readonly version?: string
  /** When set, every request must authenticate: basic users (name → password) or API keys (id → key). */
  readonly auth?: { readonly users?: Record<string, string>; readonly apiKeys?: Record<string, string> }
  /** http.max_content_length: larger request bodies get 413 (Elasticsearch's default is 100mb). */
  readonly maxContentLength?: number
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: {
    readonly cert: string | Buffer
    readonly key: string | Buffer
    /** Require a client certificate signed by this CA (mutual TLS). */
    readonly clientCa?: string | Buffer
  }
}

export type Fault =
  /** Answer the whole request with this status and body; nothing is applied. */
  | {
      readonly kind: 'status'
      readonly status: number
      readonly body?: unknown
      readonly headers?: Record<string, string>
    }
  /** Drop the connection after reading the request; nothing is applied. */
  | { readonly kind: 'reset' }
  /** Apply the request, then drop the connection without answering. */
  | { readonly kind: 'reset-after-apply' }
  /**
   * Apply the request, then send only the first `bytes` of the response body: `cut` announces the full
   * Content-Length and drops the connection; `short` sends the shortened body as if it were complete.
   */
  | { readonly kind: 'truncate'; readonly bytes: number; readonly mode?: 'cut' | 'short' }

export interface ItemContext {
  /** 1-based number of the bulk request. */
  readonly request: number
  /** 0-based position of the item in its request. */
  readonly position: number
  readonly action: string
  readonly index: string
  readonly id?: string
  readonly source: Record<string, unknown>
}
export type ItemFault = (item: ItemContext) => { status: number; type: string; reason: string } | undefined

export interface StoredDoc {
  readonly index: string
  readonly id: string
  readonly source: Record<string, unknown>
  version: number
}

export interface BulkRequestRecord {
  readonly n: number
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingMessage['headers']
  readonly bytes: number
  readonly items: { action: string; index: string; id?: string; status?: number }[]
}

export interface FakeEs {
  readonly url: string
  readonly port: number
  /** Every bulk request received, in order (also those answered with a fault). */
  readonly requests: BulkRequestRecord[]
  /** Installed templates by name (composable and legacy). */
  readonly templates: Map<string, unknown>
  itemFault: ItemFault | undefined
  failNext(...faults: Fault[]): void
  docs(index?: string): StoredDoc[]
  count(index?: string): number
  get(index: string, id: string): StoredDoc | undefined
  close(): Promise<void>
}

/** Elasticsearch's error envelope for a whole-request failure. */
export function errorBody(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): unknown {
  return { error: { root_cause: [{ type, reason, ...extra }], type, reason, ...extra }, status }
}

export const faults = {
  tooManyRequests: (retryAfterSec?: number): Fault => ({
    kind: 'status',
    status: 429,
    body: errorBody(
      429,
      'es_rejected_execution_exception',
      'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=0]',
    ),
    headers: retryAfterSec === undefined ? undefined : { 'retry-after': String(retryAfterSec) },
  }),
  unavailable: (): Fault => ({
    kind: 'status',
    status: 503,
    body: errorBody(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no master];'),
  }),
  internal: (): Fault => ({
    kind: 'status',
    status: 500,
    body: errorBody(500, 'null_pointer_exception', null as unknown as string),
  }),
}

const rejectedItem = {
  status: 429,
  type: 'es_rejected_execution_exception',
  reason:
    'rejected execution of primary operation [shard_id=[logs][0]] on EsThreadPoolExecutor[name = node/write, queue capacity = 10000]',
}
export const itemErrors = {
  rejected: () => ({ ...rejectedItem }),
  unavailableShard: () => ({
    status: 503,
    type: 'unavailable_shards_exception',
    reason: '[logs][0] primary shard is not active Timeout: [1m]',
  }),
  mapperParsing: (field: string) => ({
    status: 400,
    type: 'mapper_parsing_exception',
    reason: `failed to parse field [${field}] of type [long] in document`,
  }),
}

type Kind = 'object' | 'leaf'
interface IndexState {
  docs: Map<string, StoredDoc>
  mapping: Map<string, Kind>
  /** Paths whose keys are kept literal (subobjects: false) or whose whole value is one leaf (flattened). */
  flat: Set<string>
  rootFlat: boolean
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )
  return re.test(s)
}

function collectFlat(props: unknown, prefix: string, out: Set<string>): void {
  if (!props || typeof props !== 'object') return
  for (const [k, v] of Object.entries(props as Record<string, Record<string, unknown>>)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (v.subobjects === false || v.type === 'flattened' || v.type === 'flat_object') out.add(path)
    if (v.properties) collectFlat(v.properties, path, out)
  }
}

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = v.split('.').map(Number)
  return a > major || (a === major && b >= minor)
}

export async function startFakeEs(opts: FakeEsOptions = {}): Promise<FakeEs> {
  const flavor = opts.flavor ?? 'elasticsearch'
  const version = opts.version ?? (flavor === 'opensearch' ? '2.11.0' : '8.15.0')
  const indices = new Map<string, IndexState>()
  const templates = new Map<string, unknown>()
  const requests: BulkRequestRecord[] = []
  const queue: Fault[] = []
  let bulkCount = 0
  let seq = 0
  const mappingErrorType =
    flavor === 'elasticsearch' && versionAtLeast(version, 8, 8)
      ? 'document_parsing_exception'
      : 'mapper_parsing_exception'

  const state: FakeEs = {
    url: '',
    port: 0,
    requests,
    templates,
    itemFault: undefined,
    failNext: (...f) => void queue.push(...f),
    docs(index) {
      const out: StoredDoc[] = []
      for (const [name, s] of indices) if (index === undefined || name === index) out.push(...s.docs.values())
      return out
    },
    count(index) {
      return state.docs(index).length
    },
    get: (index, id) => indices.get(index)?.docs.get(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }

  function indexState(name: string): IndexState {
    let s = indices.get(name)
    if (!s) {
      s = { docs: new Map(), mapping: new Map(), flat: new Set(), rootFlat: false }
      for (const t of templates.values()) {
        const tt = t as { index_patterns?: string[] | string; template?: { mappings?: any }; mappings?: any }
        const patterns = Array.isArray(tt.index_patterns)
          ? tt.index_patterns
          : tt.index_patterns
            ? [tt.index_patterns]
            : []
        if (!patterns.some((p) => globMatch(p, name))) continue
        const mappings = tt.template?.mappings ?? tt.mappings
        if (!mappings) continue
        if (mappings.subobjects === false) s.rootFlat = true
        collectFlat(mappings.properties, '', s.flat)
      }
      indices.set(name, s)
    }
    return s
  }

  /** Dynamic mapping: returns an error reason, or stages the new paths into `staged`. */
  function mapDoc(s: IndexState, doc: Record<string, unknown>, staged: Map<string, Kind>): string | undefined {
    const kindAt = (p: string) => staged.get(p) ?? s.mapping.get(p)
    const walk = (obj: Record<string, unknown>, prefix: string, literal: boolean): string | undefined => {
      for (const [key, value] of Object.entries(obj)) {
        // Elasticsearch expands dots in field names into objects, unless the container keeps them flat.
        const segs = literal ? [key] : key.split('.')
        let path = prefix
        for (let i = 0; i < segs.length - 1; i++) {
          path = path ? `${path}.${segs[i]}` : segs[i]!
          const k = kindAt(path)
          if (k === 'leaf')
            return `Could not dynamically add mapping for field [${prefix ? `${prefix}.` : ''}${key}]. Existing mapping for [${path}] must be of type object but found [keyword].`
          staged.set(path, 'object')
        }
        path = path ? `${path}.${segs[segs.length - 1]}` : segs[segs.length - 1]!
        const isObj = value !== null && typeof value === 'object' && !Array.isArray(value)
        if (s.flat.has(path) && isObj) {
          // subobjects: false keeps the keys below literal; flattened types take the object whole
          if (kindAt(path) === 'leaf')
            return `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`
          staged.set(path, 'object')
          const err = walk(value as Record<string, unknown>, path, true)
          if (err) return err
          continue
        }
        const k = kindAt(path)
        if (isObj) {
          if (k === 'leaf')
            return `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`
          staged.set(path, 'object')
          const err = walk(value as Record<string, unknown>, path, false)
          if (err) return err
        } else {
          if (k === 'object')
            return `object mapping for [${path}] tried to parse field [${key}] as object, but found a concrete value`
          staged.set(path, 'leaf')
        }
      }
      return undefined
    }
    return walk(doc, '', s.rootFlat)
  }

  function authenticate(req: IncomingMessage): { ok: true } | { ok: false; who: string } {
    if (!opts.auth) return { ok: true }
    const h = req.headers.authorization ?? ''
    if (h.startsWith('Basic ')) {
      const [user = '', ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':')
      if (opts.auth.users?.[user] !== undefined && opts.auth.users[user] === rest.join(':')) return { ok: true }
      return { ok: false, who: `unable to authenticate user [${user}] for REST request [${req.url}]` }
    }
    if (h.startsWith('ApiKey ')) {
      const [id = '', key = ''] = Buffer.from(h.slice(7), 'base64').toString('utf8').split(':')
      if (opts.auth.apiKeys?.[id] !== undefined && opts.auth.apiKeys[id] === key) return { ok: true }
      return {
        ok: false,
        who: `unable to authenticate with provided credentials and anonymous access is not allowed for this request`,
      }
    }
    return { ok: false, who: `missing authentication credentials for REST request [${req.url}]` }
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body)
    const h: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    }
    if (flavor === 'elasticsearch') h['x-elastic-product'] = 'Elasticsearch'
    res.writeHead(status, { ...h, ...headers })
    res.end(text)
  }

  function applyBulk(n: number, defaultIndex: string | undefined, text: string, record: BulkRequestRecord): unknown {
    if (text.length > 0 && !text.endsWith('\n')) {
      return {
        status: 400,
        body: errorBody(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'),
      }
    }
    const lines = text.split('\n')
    lines.pop()
    const items: unknown[] = []
    let errors = false
    let position = 0
    for (let li = 0; li < lines.length; li++) {
      const line = lines[li]!
      if (line.trim() === '') continue
      let meta: Record<string, Record<string, unknown>>
      try {
        meta = JSON.parse(line)
      } catch {
        return {
          status: 400,
          body: errorBody(400, 'x_content_parse_exception', `[1:${li + 1}] Unexpected character in action line`),
        }
      }
      const action = Object.keys(meta)[0]!
      const m = meta[action] ?? {}
      // mapping types are gone in Elasticsearch 8 and OpenSearch 2
      if ('_type' in m && versionAtLeast(version, flavor === 'elasticsearch' ? 8 : 2, 0)) {
        return {
          status: 400,
          body: errorBody(
            400,
            'illegal_argument_exception',
            `Action/metadata line [${li + 1}] contains an unknown parameter [_type]`,
          ),
        }
      }
      if (!['create', 'index', 'update', 'delete'].includes(action)) {
        return {
          status: 400,
          body: errorBody(
            400,
            'illegal_argument_exception',
            `Malformed action/metadata line [${li + 1}], expected one of [create, delete, index, update] but found [${action}]`,
          ),
        }
      }
      let source: Record<string, unknown> = {}
      if (action !== 'delete') {
        const sl = lines[++li]
        if (sl === undefined) {
          return {
            status: 400,
            body: errorBody(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;'),
          }
        }
        try {
          source = JSON.parse(sl)
        } catch {
          // Elasticsearch reports an unparsable source on the item, not the request
          source = undefined as unknown as Record<string, unknown>
        }
      }
      const index = String(m._index ?? defaultIndex ?? '')
      let id = m._id === undefined ? undefined : String(m._id)
      const pos = position++
      const base = { _index: index, _id: id }
      const fail = (status: number, type: string, reason: string) => {
        errors = true
        record.items.push({ action, index, id, status })
        items.push({
          [action]: { ...base, status, error: { type, reason, index, shard: '0', index_uuid: 'fakeuuid' } },
        })
      }
      if (!index) {
        fail(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;')
        continue
      }
      if (index !== index.toLowerCase() || index.startsWith('_') || /[\\/*?"<>| ,#:]/.test(index)) {
        fail(400, 'invalid_index_name_exception', `Invalid index name [${index}], must be lowercase`)
        continue
      }
      if (source === undefined) {
        fail(400, mappingErrorType, `[1:2] failed to parse: Unexpected character`)
        continue
      }
      const injected = state.itemFault?.({ request: n, position: pos, action, index, id, source })
      if (injected) {
        fail(injected.status, injected.type, injected.reason)
        continue
      }
      const s = indexState(index)
      let doc = source
      let upsert = false
      if (action === 'update') {
        doc = (source.doc ?? {}) as Record<string, unknown>
        upsert = source.doc_as_upsert === true
      }
      if (id === undefined && action !== 'create' && action !== 'index') {
        fail(400, 'action_request_validation_exception', 'Validation Failed: 1: id is missing;')
        continue
      }
      const existing = id === undefined ? undefined : s.docs.get(id)
      if (action === 'create' && existing) {
        fail(
          409,
          'version_conflict_engine_exception',
          `[${id}]: version conflict, document already exists (current version [${existing.version}])`,
        )
        continue
      }
      if (action === 'update' && !existing && !upsert) {
        fail(404, 'document_missing_exception', `[${id}]: document missing`)
        continue
      }
      if (action === 'delete') {
        if (existing && id !== undefined) s.docs.delete(id)
        record.items.push({ action, index, id, status: existing ? 200 : 404 })
        items.push({ delete: { ...base, result: existing ? 'deleted' : 'not_found', status: existing ? 200 : 404 } })
        continue
      }
      const merged = action === 'update' && existing ? { ...existing.source, ...doc } : doc
      const staged = new Map<string, Kind>()
      const err = mapDoc(s, merged, staged)
      if (err) {
        fail(400, mappingErrorType, err)
        continue
      }
      for (const [p, k] of staged) s.mapping.set(p, k)
      if (id === undefined) id = randomBytes(15).toString('base64url')
      const docVersion = (existing?.version ?? 0) + 1
      s.docs.set(id, { index, id, source: merged, version: docVersion })
      const status = existing ? 200 : 201
      record.items.push({ action, index, id, status })
      items.push({
        [action]: {
          _index: index,
          _id: id,
          _version: docVersion,
          result: existing ? 'updated' : 'created',
          _shards: { total: 2, successful: 1, failed: 0 },
          _seq_no: seq++,
          _primary_term: 1,
          status,
        },
      })
    }
    return { status: 200, body: { took: 3, errors, items } }
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  }

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://fake')
      let raw = await readBody(req)
      const auth = authenticate(req)
      if (!auth.ok) {
        return send(
          res,
          401,
          errorBody(401, 'security_exception', auth.who, {
            header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] },
          }),
          { 'www-authenticate': 'Basic realm="security" charset="UTF-8"' },
        )
      }
      if (opts.maxContentLength !== undefined && raw.length > opts.maxContentLength) {
        // Netty's aggregator answers oversize bodies with an empty 413
        res.writeHead(413, { 'content-length': 0 })
        return res.end()
      }
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw)
      const text = raw.toString('utf8')
      const parts = url.pathname.split('/').filter(Boolean)
      if (req.method === 'GET' && parts.length === 0) {
        return send(
          res,
          200,
          flavor === 'opensearch'
            ? {
                name: 'fake-node',
                cluster_name: 'fake',
                version: { distribution: 'opensearch', number: version, lucene_version: '9.7.0' },
                tagline: 'The OpenSearch Project: https://opensearch.org/',
              }
            : {
                name: 'fake-node',
                cluster_name: 'fake',
                version: { number: version, build_flavor: 'default', lucene_version: '9.11.1' },
                tagline: 'You Know, for Search',
              },
        )
      }
      if (req.method === 'PUT' && parts.length === 2 && (parts[0] === '_index_template' || parts[0] === '_template')) {
        if (
          parts[0] === '_index_template' &&
          !versionAtLeast(version, flavor === 'opensearch' ? 1 : 7, flavor === 'opensearch' ? 0 : 8)
        ) {
          return send(
            res,
            405,
            errorBody(405, 'unsupported_operation', 'Incorrect HTTP method for uri [/_index_template]'),
          )
        }
        templates.set(decodeURIComponent(parts[1]!), JSON.parse(text))
        return send(res, 200, { acknowledged: true })
      }
      if (req.method === 'GET' && parts[1] === '_count') return send(res, 200, { count: state.count(parts[0]) })
      if (parts[parts.length - 1] === '_refresh')
        return send(res, 200, { _shards: { total: 1, successful: 1, failed: 0 } })
      if ((req.method === 'GET' || req.method === 'POST') && parts[parts.length - 1] === '_search') {
        // match_all only, with from/size: enough for a test to read back what it stored
        const q = text ? (JSON.parse(text) as { from?: number; size?: number }) : {}
        const index = parts.length === 2 ? parts[0] : undefined
        const all = [...indices.entries()]
          .filter(([name]) => index === undefined || globMatch(index, name))
          .flatMap(([, st]) => [...st.docs.values()])
        const from = q.from ?? 0
        const size = q.size ?? 10
        return send(res, 200, {
          took: 1,
          timed_out: false,
          hits: {
            total: { value: all.length, relation: 'eq' },
            hits: all
              .slice(from, from + size)
              .map((d) => ({ _index: d.index, _id: d.id, _score: 1, _source: d.source })),
          },
        })
      }
      const isBulk = (req.method === 'POST' || req.method === 'PUT') && parts[parts.length - 1] === '_bulk'
      if (!isBulk) {
        return send(
          res,
          404,
          errorBody(404, 'no_handler_found', `no handler found for uri [${url.pathname}] and method [${req.method}]`),
        )
      }
      const n = ++bulkCount
      const record: BulkRequestRecord = {
        n,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        bytes: raw.length,
        items: [],
      }
      requests.push(record)
      const fault = queue.shift()
      if (fault?.kind === 'status') return send(res, fault.status, fault.body, fault.headers)
      if (fault?.kind === 'reset') return req.socket.destroy()
      const out = applyBulk(n, parts.length === 2 ? parts[0] : undefined, text, record) as {
        status: number
        body: unknown
      }
      if (fault?.kind === 'reset-after-apply') return req.socket.destroy()
      if (fault?.kind === 'truncate') {
        const full = Buffer.from(JSON.stringify(out.body))
        const part = full.subarray(0, Math.min(fault.bytes, full.length))
        res.writeHead(out.status, {
          'content-type': 'application/json',
          'content-length': (fault.mode ?? 'cut') === 'cut' ? full.length : part.length,
        })
        if ((fault.mode ?? 'cut') === 'short') return res.end(part)
        res.write(part)
        setImmediate(() => req.socket.destroy())
        return
      }
      return send(res, out.status, out.body)
    } catch (err) {
      send(res, 500, errorBody(500, 'fake_es_exception', (err as Error).message))
    }
  }
  const server: Server = opts.tls
    ? createHttpsServer(
        {
          cert: opts.tls.cert,
          key: opts.tls.key,
          ca: opts.tls.clientCa,
          requestCert: opts.tls.clientCa !== undefined,
          rejectUnauthorized: opts.tls.clientCa !== undefined,
        },
        handler,
      )
    : createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  Object.assign(state, { url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`, port })
  return state
}
