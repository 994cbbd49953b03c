// The query API and web UI listener (default port 5601), exactly as /docs/api.md describes it.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '@sluice/core/log.ts'
import type { AgentTracker } from '../agents.ts'
import { type Auth, allows, type Principal } from '../auth.ts'
import { HttpError, readJson, sendApiError, sendJson, sendText } from '../http/util.ts'
import { authFailureCounter, type Metrics } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import { context, fields, fieldValues, histogram, search } from './query.ts'
import type { SavedSearches } from './saved.ts'
import { serveStatic } from './static.ts'
import { serveTail } from './tail.ts'

export interface UiContext {
  readonly store: Store
  readonly auth: Auth
  readonly metrics: Metrics
  readonly log: Logger
  readonly agents: AgentTracker
  readonly saved: SavedSearches
  /** Directory of the built web UI. */
  readonly webRoot: string
  readonly startedAt: number
  /** Registers a streaming response so shutdown can end it. */
  readonly track: (res: ServerResponse) => void
}

export function createUiHandler(ctx: UiContext): (req: IncomingMessage, res: ServerResponse) => void {
  const requests = ctx.metrics.counter('sluice_api_requests_total', 'Query API requests by endpoint and status')
  const queryTime = ctx.metrics.counter(
    'sluice_api_query_seconds_total',
    'Time spent answering query API requests, by endpoint',
  )

  const authFailures = authFailureCounter(ctx.metrics)
  const need = (req: IncomingMessage, scope: 'read', url?: URL): Principal => {
    // EventSource cannot send headers: the tail stream also takes the token as ?access_token=.
    const token = url?.pathname === '/api/tail' ? url.searchParams.get('access_token') : null
    const p = ctx.auth.authenticate(req.headers.authorization ?? (token ? `Bearer ${token}` : undefined))
    if (!p) {
      authFailures({ port: 'api', status: '401' })
      throw new HttpError(
        401,
        'unauthorized',
        'missing or invalid credentials: use Authorization: Bearer <token> or basic auth',
      )
    }
    if (!allows(p, scope)) {
      authFailures({ port: 'api', status: '403' })
      throw new HttpError(403, 'forbidden', `'${p.name}' may not read: it needs the read scope`)
    }
    return p
  }

  const stats = () => {
    const indices: Array<{ index: string; docs: number; bytes: number }> = []
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
    for (const [index, e] of [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))) indices.push({ index, ...e })
    const ing = ctx.store.ingest
    return {
      records_total: ctx.store.recordsTotal(),
      bytes_on_disk: ctx.store.bytesOnDisk(),
      ingest: { records_total: ing.records, errors_total: ing.errors, by_source: { ...ing.bySource } },
      // acknowledged records the store could not make searchable: rows its loader rejected, and rows of
      // WAL segments that failed to load and were moved aside (kept on disk under wal-failed/)
      dead_letter: {
        records_total: ctx.store.rejectedRows + ctx.store.droppedRows,
        rejected_rows: ctx.store.rejectedRows,
        failed_segment_rows: ctx.store.droppedRows,
      },
      indices,
      agents: ctx.agents.list(),
    }
  }

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    const m = req.method ?? 'GET'
    if (path === '/api/health') {
      sendJson(res, 200, {
        status: 'ok',
        uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
        pending_segments: ctx.store.pendingSegments(),
      })
      return 'health'
    }
    if (path === '/metrics') {
      need(req, 'read')
      sendText(res, 200, ctx.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8')
      return 'metrics'
    }
    if (!path.startsWith('/api/')) {
      serveStatic(ctx.webRoot, req, res)
      return 'static'
    }
    const p = need(req, 'read', url)
    const post = async (name: string, fn: (body: Record<string, unknown>) => Promise<unknown>) => {
      if (m !== 'POST') throw new HttpError(405, 'bad_request', `${path} takes POST with a JSON body`)
      const t = performance.now()
      const out = await fn(await readJson(req))
      queryTime({ endpoint: name }, (performance.now() - t) / 1000)
      sendJson(res, 200, out)
      return name
    }
    switch (path) {
      case '/api/search':
        return post('search', (b) => search(ctx.store, p, b))
      case '/api/histogram':
        return post('histogram', (b) => histogram(ctx.store, p, b))
      case '/api/fields':
        return post('fields', (b) => fields(ctx.store, p, b))
      case '/api/field-values':
        return post('field-values', (b) => fieldValues(ctx.store, p, b))
      case '/api/context':
        return post('context', (b) => context(ctx.store, p, b))
      case '/api/tail':
        if (m !== 'GET') throw new HttpError(405, 'bad_request', '/api/tail takes GET')
        await serveTail(ctx.store, p, req, res, url, ctx.track)
        return 'tail'
      case '/api/stats':
        sendJson(res, 200, stats())
        return 'stats'
      case '/api/saved-searches':
        if (m === 'GET') sendJson(res, 200, { items: ctx.saved.list() })
        else if (m === 'POST') sendJson(res, 200, ctx.saved.add(await readJson(req)))
        else throw new HttpError(405, 'bad_request', '/api/saved-searches takes GET or POST')
        return 'saved-searches'
    }
    const del = /^\/api\/saved-searches\/([^/]+)$/.exec(path)
    if (del) {
      if (m !== 'DELETE') throw new HttpError(405, 'bad_request', 'use DELETE to remove a saved search')
      if (!ctx.saved.delete(decodeURIComponent(del[1]!)))
        throw new HttpError(404, 'bad_request', `no saved search with id '${del[1]}'`)
      res.writeHead(204)
      res.end()
      return 'saved-searches'
    }
    throw new HttpError(404, 'bad_request', `no API endpoint ${m} ${path}`)
  }

  return (req, res) => {
    route(req, res)
      .then((name) => requests({ endpoint: name, code: String(res.statusCode) }))
      .catch((e) => {
        if (!(e instanceof HttpError))
          ctx.log.error(`cannot answer ${req.method} ${req.url}: ${(e as Error).stack ?? e}`)
        requests({ endpoint: 'error', code: String(e instanceof HttpError ? e.status : 500) })
        if (res.headersSent) return void res.destroy()
        if (e instanceof HttpError && e.status === 401)
          res.setHeader('www-authenticate', 'Bearer, Basic realm="sluice"')
        sendApiError(res, e)
      })
  }
}
