// The Elasticsearch-compatible ingest listener (default port 9200): `_bulk`, the version document,
// and the handshake endpoints that Fluent Bit, Filebeat, Vector and Logstash call before shipping
// (license, xpack, nodes, index/component templates, ILM policies, ingest pipelines, aliases), plus the
// `_cat/indices` and `_cluster/health` answers the seeds' verification steps use. Response shapes
// follow the Elasticsearch 8 REST API documentation.

import { createHash, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '@sluice/core/log.ts'
import type { AgentTracker } from '../agents.ts'
import { type Auth, allows, type Principal } from '../auth.ts'
import { BufferPool } from '../buffer-pool.ts'
import { HttpError, readBody, readBodyPooled } from '../http/util.ts'
import { authFailureCounter, type Metrics } from '../metrics.ts'
import { BusyError, type Store } from '../store/store.ts'
import { type BulkOutcome, bulkResponse, executeBulk, renderBulk } from './bulk.ts'
import { columnBytesFor, parseBulk } from './bulk-parse.ts'
import type { IdRegistry } from './ids.ts'
import { ColumnBytes } from './source-transcode.ts'

export const ES_VERSION = '8.17.0'
const BUILD_HASH = '2b6a7fed44faa321997703718f07ee0420804b41'
const BUILD_DATE = '2024-12-11T12:08:05.663969764Z'
/** Elasticsearch's default `http.max_content_length`. */
export const MAX_BULK_BYTES = 100 * 1024 * 1024

export interface EsContext {
  readonly store: Store
  readonly ids: IdRegistry
  readonly auth: Auth
  readonly metrics: Metrics
  readonly log: Logger
  readonly agents: AgentTracker
  readonly clusterName: string
  readonly clusterUuid: string
  readonly nodeId: string
  /** `host:port` this listener is bound to (for `_nodes`). */
  address(): string
  /** OTLP/HTTP `/v1/logs`, served on this port too. */
  readonly otlp?: (req: IncomingMessage, res: ServerResponse, p: Principal) => Promise<void>
}

function indexUuid(name: string): string {
  return createHash('sha1').update(name).digest('base64url').slice(0, 22)
}

function human(bytes: number): string {
  const units = ['b', 'kb', 'mb', 'gb', 'tb']
  let v = bytes
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${v}b` : `${Math.round(v * 10) / 10}${units[u]}`
}

export function esErrorBody(
  status: number,
  type: string,
  reason: string,
  extra: Record<string, unknown> = {},
): unknown {
  const cause = { type, reason, ...extra }
  return { error: { root_cause: [cause], ...cause }, status }
}

/** Templates, ILM policies and pipelines that clients install: remembered so their GET finds them. */
class Installed {
  private readonly items = new Map<string, unknown>()
  get(kind: string, name: string): unknown {
    return this.items.get(`${kind}/${name}`)
  }
  list(kind: string): Array<[string, unknown]> {
    const out: Array<[string, unknown]> = []
    for (const [k, v] of this.items) if (k.startsWith(`${kind}/`)) out.push([k.slice(kind.length + 1), v])
    return out
  }
  put(kind: string, name: string, body: unknown): void {
    this.items.set(`${kind}/${name}`, body)
  }
  delete(kind: string, name: string): boolean {
    return this.items.delete(`${kind}/${name}`)
  }
}

export function createEsHandler(ctx: EsContext): (req: IncomingMessage, res: ServerResponse) => void {
  const installed = new Installed()
  const bulkErrors = ctx.metrics.counter(
    'sluice_ingest_item_errors_total',
    'Bulk items rejected, by Elasticsearch error type',
  )
  const requests = ctx.metrics.counter('sluice_es_requests_total', 'Requests on the Elasticsearch-compatible port')
  const authFailures = authFailureCounter(ctx.metrics)

  const reply = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const pretty = url.searchParams.has('pretty') && url.searchParams.get('pretty') !== 'false'
    const text = body === undefined ? '' : pretty ? JSON.stringify(body, null, 2) + '\n' : JSON.stringify(body)
    const accept = String(req.headers.accept ?? '')
    const type = accept.includes('vnd.elasticsearch+json')
      ? 'application/vnd.elasticsearch+json;compatible-with=8'
      : 'application/json; charset=UTF-8'
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(text),
      'x-elastic-product': 'Elasticsearch',
    })
    res.end(req.method === 'HEAD' ? undefined : text)
  }

  const versionDoc = () => ({
    name: ctx.clusterName,
    cluster_name: ctx.clusterName,
    cluster_uuid: ctx.clusterUuid,
    version: {
      number: ES_VERSION,
      build_flavor: 'default',
      build_type: 'tar',
      build_hash: BUILD_HASH,
      build_date: BUILD_DATE,
      build_snapshot: false,
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  })

  const indices = () => {
    const m = new Map<string, { docs: number; bytes: number }>()
    for (const p of ctx.store.listPartitions()) {
      const bytes = ctx.store.partitionBytes(p)
      for (const [idx, n] of p.byIndex) {
        const e = m.get(idx) ?? { docs: 0, bytes: 0 }
        e.docs += n
        e.bytes += p.rows > 0 ? Math.round((bytes * n) / p.rows) : 0
        m.set(idx, e)
      }
    }
    return [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  }

  const catIndices = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const rows = indices().map(([index, e]) => ({
      health: 'green',
      status: 'open',
      index,
      uuid: indexUuid(index),
      pri: '1',
      rep: '0',
      'docs.count': String(e.docs),
      'docs.deleted': '0',
      'store.size': url.searchParams.get('bytes') === 'b' ? String(e.bytes) : human(e.bytes),
      'pri.store.size': url.searchParams.get('bytes') === 'b' ? String(e.bytes) : human(e.bytes),
      'dataset.size': url.searchParams.get('bytes') === 'b' ? String(e.bytes) : human(e.bytes),
    }))
    if (url.searchParams.get('format') === 'json') return reply(req, res, 200, rows)
    const cols = [
      'health',
      'status',
      'index',
      'uuid',
      'pri',
      'rep',
      'docs.count',
      'docs.deleted',
      'store.size',
      'pri.store.size',
      'dataset.size',
    ]
    const numeric = new Set([
      'pri',
      'rep',
      'docs.count',
      'docs.deleted',
      'store.size',
      'pri.store.size',
      'dataset.size',
    ])
    const table: string[][] = rows.map((r) => cols.map((c) => (r as Record<string, string>)[c]!))
    if (url.searchParams.has('v')) table.unshift(cols)
    const width = cols.map((_, i) => Math.max(0, ...table.map((r) => r[i]!.length)))
    const lines = table.map((r) =>
      r
        .map((v, i) =>
          numeric.has(cols[i]!) && !(url.searchParams.has('v') && r === table[0])
            ? v.padStart(width[i]!)
            : v.padEnd(width[i]!),
        )
        .join(' ')
        .trimEnd(),
    )
    const text = lines.map((l) => l + '\n').join('')
    res.writeHead(200, {
      'content-type': 'text/plain; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      'x-elastic-product': 'Elasticsearch',
    })
    res.end(req.method === 'HEAD' ? undefined : text)
  }

  const health = () => {
    const n = indices().length
    return {
      cluster_name: ctx.clusterName,
      status: 'green',
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      active_primary_shards: n,
      active_shards: n,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: 0,
      unassigned_primary_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: 100.0,
    }
  }

  const nodes = () => {
    const addr = ctx.address()
    return {
      _nodes: { total: 1, successful: 1, failed: 0 },
      cluster_name: ctx.clusterName,
      nodes: {
        [ctx.nodeId]: {
          name: ctx.clusterName,
          transport_address: addr,
          host: addr.split(':')[0],
          ip: addr.split(':')[0],
          version: ES_VERSION,
          build_flavor: 'default',
          build_type: 'tar',
          build_hash: BUILD_HASH,
          roles: ['data', 'ingest', 'master'],
          http: { bound_address: [addr], publish_address: addr, max_content_length_in_bytes: MAX_BULK_BYTES },
        },
      },
    }
  }

  const license = () => ({
    license: {
      status: 'active',
      uid: ctx.clusterUuid,
      type: 'basic',
      issue_date: '2026-01-01T00:00:00.000Z',
      issue_date_in_millis: 1767225600000,
      max_nodes: 1000,
      max_resource_units: null,
      issued_to: ctx.clusterName,
      issuer: 'elasticsearch',
      start_date_in_millis: -1,
    },
  })

  const xpack = () => ({
    build: { hash: BUILD_HASH, date: BUILD_DATE },
    license: { uid: ctx.clusterUuid, type: 'basic', mode: 'basic', status: 'active' },
    features: Object.fromEntries(
      ['ilm', 'security', 'monitoring', 'watcher', 'ml', 'data_streams', 'enrich', 'graph', 'sql', 'transform'].map(
        (f) => [f, { available: f === 'ilm' || f === 'data_streams' || f === 'security', enabled: f !== 'security' }],
      ),
    ),
    tagline: 'You know, for X',
  })

  /** GET/HEAD/PUT/DELETE of the installable things: templates, ILM policies, pipelines. */
  const installable = async (req: IncomingMessage, res: ServerResponse, kind: string, name: string | undefined) => {
    const m = req.method
    if (m === 'PUT' || m === 'POST') {
      if (!name)
        return reply(req, res, 400, esErrorBody(400, 'illegal_argument_exception', `a name is required for ${kind}`))
      const buf = await readBody(req, 10 * 1024 * 1024)
      let body: unknown = {}
      try {
        body = buf.length > 0 ? JSON.parse(buf.toString('utf8')) : {}
      } catch (e) {
        return reply(
          req,
          res,
          400,
          esErrorBody(400, 'parse_exception', `cannot parse the request body: ${(e as Error).message}`),
        )
      }
      installed.put(kind, name, body)
      return reply(req, res, 200, { acknowledged: true })
    }
    if (m === 'DELETE') {
      if (name && installed.delete(kind, name)) return reply(req, res, 200, { acknowledged: true })
      return reply(req, res, 404, esErrorBody(404, 'resource_not_found_exception', `${kind} [${name}] not found`))
    }
    const wanted = name && name !== '*' && name !== '_all' ? name.split(',') : null
    const all = installed.list(kind).filter(
      ([n]) =>
        !wanted ||
        wanted.some((w) =>
          new RegExp(
            `^${w
              .split('*')
              .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*')}$`,
          ).test(n),
        ),
    )
    if (wanted && all.length === 0) {
      if (kind === '_ingest/pipeline' || kind === '_template') return reply(req, res, 404, {})
      return reply(
        req,
        res,
        404,
        esErrorBody(404, 'resource_not_found_exception', `${kind.slice(1)} matching [${name}] not found`),
      )
    }
    switch (kind) {
      case '_index_template':
        return reply(req, res, 200, { index_templates: all.map(([n, b]) => ({ name: n, index_template: b })) })
      case '_component_template':
        return reply(req, res, 200, { component_templates: all.map(([n, b]) => ({ name: n, component_template: b })) })
      case '_ilm/policy':
        return reply(
          req,
          res,
          200,
          Object.fromEntries(
            all.map(([n, b]) => [
              n,
              {
                version: 1,
                modified_date: '2026-01-01T00:00:00.000Z',
                policy: (b as { policy?: unknown }).policy ?? b,
              },
            ]),
          ),
        )
      default:
        return reply(req, res, 200, Object.fromEntries(all))
    }
  }

  /** `_bulk` response buffers (≈340 KB for 2,000 items), reused (buffer-pool.ts). */
  const responseBuffers = new BufferPool({ buffers: 8, bufferBytes: 4 * 1024 * 1024, totalBytes: 16 * 1024 * 1024 })

  const bulk = async (
    req: IncomingMessage,
    res: ServerResponse,
    pathIndex: string | undefined,
    url: URL,
    p: Principal,
  ) => {
    const pooled = await readBodyPooled(req, MAX_BULK_BYTES)
    // what transcoded lines become (source-transcode.ts): used until executeBulk has made their rows
    const columns = new ColumnBytes(columnBytesFor(pooled.body.length))
    let result: BulkOutcome
    try {
      let ops: ReturnType<typeof parseBulk>
      try {
        // parseBulk copies what it keeps (strings, cached tails, column bytes), so the body's buffer is free after it
        ops = parseBulk(pooled.body, pathIndex, undefined, true, columns)
      } finally {
        pooled.release()
      }
      result = await executeBulk(ops, {
        store: ctx.store,
        ids: ctx.ids,
        nowUs: Date.now() * 1000,
        onItemError: (type) => {
          bulkErrors({ type })
          ctx.store.ingest.errors++
        },
      })
    } finally {
      columns.release()
    }
    ctx.agents.seen(agentName(req, p), result.stored)
    const refresh = url.searchParams.get('refresh')
    if (refresh === 'true' || refresh === 'wait_for' || refresh === '') await ctx.store.refresh()
    if (url.searchParams.has('pretty')) return reply(req, res, 200, bulkResponse(result))
    // written into buffers of a pool, given back once the response is written out
    const taken: Buffer[] = []
    const bytes = renderBulk(result, (size) => {
      const b = responseBuffers.take(size)
      taken.push(b)
      return b
    })
    res.writeHead(200, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': bytes.length,
      'x-elastic-product': 'Elasticsearch',
    })
    res.end(bytes, () => {
      for (const b of taken) responseBuffers.give(b)
    })
  }

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    let segs: string[]
    try {
      segs = path.split('/').filter(Boolean).map(decodeURIComponent)
    } catch {
      throw new HttpError(400, 'illegal_argument_exception', `cannot decode the path [${path}]: bad percent-encoding`)
    }
    const m = req.method ?? 'GET'
    requests({ method: m })

    const p = ctx.auth.authenticate(req.headers.authorization)
    if (!p) {
      const body = esErrorBody(
        401,
        'security_exception',
        `missing authentication credentials for REST request [${req.url}]`,
        {
          header: { 'WWW-Authenticate': 'Basic realm="security" charset="UTF-8"' },
        },
      )
      res.setHeader('www-authenticate', 'Basic realm="security" charset="UTF-8"')
      authFailures({ port: 'es', status: '401' })
      return reply(req, res, 401, body)
    }
    const isWrite = m === 'POST' || m === 'PUT' || m === 'DELETE'
    if (isWrite && !allows(p, 'ingest')) {
      authFailures({ port: 'es', status: '403' })
      return reply(
        req,
        res,
        403,
        esErrorBody(
          403,
          'security_exception',
          `action [${m} ${path}] is unauthorized for user [${p.name}]: it needs the ingest scope`,
        ),
      )
    }

    if (segs.length === 0) {
      if (m === 'GET' || m === 'HEAD') return reply(req, res, 200, versionDoc())
      return noHandler(req, res, m, path)
    }
    const [a, b, c] = segs
    if (a === 'v1' && b === 'logs' && segs.length === 2 && ctx.otlp) {
      if (m !== 'POST') return noHandler(req, res, m, path)
      return ctx.otlp(req, res, p)
    }
    if (a === '_bulk' && segs.length === 1 && (m === 'POST' || m === 'PUT')) return bulk(req, res, undefined, url, p)
    if (b === '_bulk' && segs.length === 2 && !a!.startsWith('_') && (m === 'POST' || m === 'PUT'))
      return bulk(req, res, a, url, p)
    if (m === 'GET' || m === 'HEAD') {
      if (a === '_cat' && b === 'indices') return catIndices(req, res, url)
      if (a === '_cat' && b === 'health') {
        const h = health()
        return reply(
          req,
          res,
          200,
          url.searchParams.get('format') === 'json' ? [{ cluster: h.cluster_name, status: h.status }] : undefined,
        )
      }
      if (a === '_cluster' && b === 'health') return reply(req, res, 200, health())
      if (a === '_license') return reply(req, res, 200, license())
      if (a === '_xpack') return reply(req, res, 200, xpack())
      if (a === '_nodes') return reply(req, res, 200, nodes())
    }
    if (a === '_index_template' || a === '_template' || a === '_component_template') return installable(req, res, a, b)
    if (a === '_ilm' && b === 'policy') return installable(req, res, '_ilm/policy', c)
    if (a === '_ilm' && b === 'status') return reply(req, res, 200, { operation_mode: 'RUNNING' })
    if (a === '_ingest' && b === 'pipeline') return installable(req, res, '_ingest/pipeline', c)
    if (a === '_alias' || (b === '_alias' && segs.length >= 2)) {
      if (m === 'GET' || m === 'HEAD')
        return reply(
          req,
          res,
          404,
          esErrorBody(404, 'aliases_not_found_exception', `aliases [${c ?? b ?? ''}] missing`),
        )
      return reply(req, res, 200, { acknowledged: true })
    }
    if (a === '_data_stream') {
      if (m === 'GET' || m === 'HEAD') return reply(req, res, 200, { data_streams: [] })
      return reply(req, res, 200, { acknowledged: true })
    }
    if (segs.length === 1 && !a!.startsWith('_')) {
      // An index: indices exist once they hold documents, and creating one is a no-op.
      if (m === 'PUT') return reply(req, res, 200, { acknowledged: true, shards_acknowledged: true, index: a })
      if (m === 'GET' || m === 'HEAD') {
        if (indices().some(([n]) => n === a))
          return reply(req, res, 200, { [a!]: { aliases: {}, mappings: {}, settings: {} } })
        return reply(
          req,
          res,
          404,
          esErrorBody(404, 'index_not_found_exception', `no such index [${a}]`, {
            index: a,
            'resource.type': 'index_or_alias',
            'resource.id': a,
          }),
        )
      }
    }
    return noHandler(req, res, m, path)
  }

  const noHandler = (req: IncomingMessage, res: ServerResponse, m: string, path: string) =>
    reply(req, res, 400, { error: `no handler found for uri [${path}] and method [${m}]` })

  return (req, res) => {
    route(req, res).catch((e) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (e instanceof BusyError) {
        return reply(req, res, 429, esErrorBody(429, 'es_rejected_execution_exception', e.message))
      }
      if (e instanceof HttpError) return reply(req, res, e.status, esErrorBody(e.status, e.type, e.message))
      ctx.log.error(`cannot handle ${req.method} ${req.url}: ${(e as Error).stack ?? e}`)
      reply(req, res, 500, esErrorBody(500, 'exception', (e as Error).message))
    })
  }
}

export function agentName(req: IncomingMessage, p: Principal): string {
  const ua = String(req.headers['user-agent'] ?? 'unknown').split(/[\s/]/)[0] || 'unknown'
  const who = p.name === 'anonymous' ? (req.socket.remoteAddress ?? '?') : p.name
  return `${ua}@${who}`
}

export function newClusterUuid(): string {
  return randomUUID().replaceAll('-', '').slice(0, 22)
}
