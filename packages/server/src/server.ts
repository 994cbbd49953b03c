// `sluice server`: the store plus its listeners — the Elasticsearch-compatible ingest port (with
// OTLP/HTTP on /v1/logs), Fluent forward, the query API and web UI — and retention. Listeners start
// after the store is open (and its WAL replayed), so nothing is acknowledged before it can be kept.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttps } from 'node:https'
import type { AddressInfo, Server as NetServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger, type Logger } from '@sluice/core/log.ts'
import { AgentTracker } from './agents.ts'
import { createUiHandler } from './api/routes.ts'
import { SavedSearches } from './api/saved.ts'
import { Auth, type AuthConfig } from './auth.ts'
import { createEsHandler, newClusterUuid } from './es/api.ts'
import { IdRegistry } from './es/ids.ts'
import { type ForwardOptions, startForward } from './forward/server.ts'
import { authFailureCounter, Metrics } from './metrics.ts'
import { createOtlpHandler } from './otlp/handler.ts'
import { applyRetention, type RetentionPolicy } from './store/retention.ts'
import { Store, type StoreOptions } from './store/store.ts'

export interface TlsFiles {
  /** PEM certificate (chain) file. */
  readonly cert: string
  /** PEM private key file. */
  readonly key: string
}

export interface ServerOptions {
  /** Data directory (created if missing). */
  readonly dataDir: string
  /** Bind address for every listener (default 127.0.0.1). */
  readonly host?: string
  /** Elasticsearch-compatible ingest port (default 9200; 0 = any free port). */
  readonly esPort?: number
  /** Query API and web UI port (default 5601; 0 = any). */
  readonly uiPort?: number
  /** Fluent forward port (default 24224; 0 = any; null = off). */
  readonly forwardPort?: number | null
  /** A separate OTLP/HTTP port (e.g. 4318); OTLP is always served on the ingest port too. null = off. */
  readonly otlpPort?: number | null
  readonly auth?: AuthConfig
  readonly tls?: TlsFiles
  readonly retention?: RetentionPolicy
  /** How often retention runs (ms). */
  readonly retentionIntervalMs?: number
  readonly forward?: Omit<ForwardOptions, 'host' | 'port'>
  /** Built web UI directory (default packages/web/dist). */
  readonly webRoot?: string
  readonly log?: Logger
  readonly store?: Omit<StoreOptions, 'dir' | 'log'>
  readonly clusterName?: string
  /** On close, connections still busy after this long are cut (ms). */
  readonly closeGraceMs?: number
}

export interface RunningServer {
  readonly store: Store
  readonly esPort: number
  readonly uiPort: number
  readonly forwardPort: number | null
  readonly otlpPort: number | null
  readonly metrics: Metrics
  /** Client document ids (`_id`) acknowledged and not yet loaded. */
  readonly ids: IdRegistry
  close(): Promise<void>
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url))

function listen(server: Server | NetServer, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `cannot listen on ${host}:${port} (${what}): the port is in use; choose another with --${what}-port`
            : `cannot listen on ${host}:${port} (${what}): ${e.message}`,
        ),
      )
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function clusterUuid(dir: string): string {
  const path = join(dir, 'cluster.json')
  if (existsSync(path)) {
    try {
      const v = JSON.parse(readFileSync(path, 'utf8')) as { uuid?: string }
      if (typeof v.uuid === 'string') return v.uuid
    } catch {
      // rewritten below
    }
  }
  const uuid = newClusterUuid()
  writeFileSync(path, JSON.stringify({ uuid }))
  return uuid
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? createLogger({}, 'server')
  const host = opts.host ?? '127.0.0.1'
  const auth = new Auth(opts.auth)
  const store = await Store.open({ dir: opts.dataDir, log, ...opts.store })
  const metrics = new Metrics()
  const agents = new AgentTracker()
  const ids = new IdRegistry(store)
  const uuid = clusterUuid(opts.dataDir)
  const servers: Array<Server | NetServer> = []
  const streams = new Set<ServerResponse>()
  let closing = false
  const closeGraceMs = opts.closeGraceMs ?? 10_000

  metrics.collect('sluice_ingest_records_total', 'Records acknowledged (durable), by source', 'counter', () =>
    Object.entries(store.ingest.bySource).map(([source, value]) => ({ labels: { source }, value })),
  )
  metrics.collect('sluice_ingest_errors_total', 'Records rejected at ingest', 'counter', () => [
    { value: store.ingest.errors },
  ])
  metrics.collect('sluice_store_records', 'Records in the store (searchable)', 'gauge', () => [
    { value: store.recordsTotal() },
  ])
  metrics.collect('sluice_store_bytes', 'Bytes on disk: partitions and write-ahead log', 'gauge', () => [
    { value: store.bytesOnDisk() },
  ])
  metrics.collect('sluice_store_partitions', 'Day partitions', 'gauge', () => [
    { value: store.listPartitions().length },
  ])
  metrics.collect('sluice_wal_pending_segments', 'Write-ahead log segments waiting to be loaded', 'gauge', () => [
    { value: store.pendingSegments() },
  ])
  metrics.collect('sluice_wal_syncs_total', 'fdatasync calls on the write-ahead log', 'counter', () => [
    { value: store.walStats().syncs },
  ])
  metrics.collect('sluice_wal_bytes_total', 'Bytes written to the write-ahead log', 'counter', () => [
    { value: store.walStats().bytes },
  ])
  metrics.collect('sluice_store_apply_errors_total', 'Failed attempts to load a WAL segment', 'counter', () => [
    { value: store.applyErrors },
  ])
  metrics.collect(
    'sluice_store_dropped_segments_total',
    'WAL segments set aside after repeated load failures',
    'counter',
    () => [{ value: store.droppedSegments }],
  )
  metrics.collect(
    'sluice_store_dropped_rows_total',
    'Rows of WAL segments that failed to load (moved to wal-failed/, not searchable)',
    'counter',
    () => [{ value: store.droppedRows }],
  )
  metrics.collect(
    'sluice_catalog_overflow_total',
    'Field paths not made queryable by name: the field catalog is full',
    'counter',
    () => [{ value: store.catalogOverflow() }],
  )
  metrics.collect(
    'sluice_store_rejected_rows_total',
    'Acknowledged rows the store could not load (logged with their segment)',
    'counter',
    () => [{ value: store.rejectedRows }],
  )
  metrics.collect('sluice_tail_clients', 'Open live-tail streams', 'gauge', () => [{ value: streams.size }])
  const retentionDrops = metrics.counter('sluice_retention_dropped_rows_total', 'Rows deleted by retention, by reason')

  const make = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    if (!opts.tls) return createHttp({ keepAliveTimeout: 65_000 }, handler)
    return createHttps(
      { cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key), keepAliveTimeout: 65_000 },
      handler,
    )
  }

  try {
    const otlp = createOtlpHandler({ store, metrics, log, agents })
    let esAddress = `${host}:0`
    const es = make(
      createEsHandler({
        store,
        ids,
        auth,
        metrics,
        log,
        agents,
        clusterName: opts.clusterName ?? 'sluice',
        clusterUuid: uuid,
        nodeId: uuid.slice(0, 22),
        address: () => esAddress,
        otlp,
      }),
    )
    servers.push(es)
    const esPort = await listen(es, opts.esPort ?? 9200, host, 'es')
    esAddress = `${host}:${esPort}`

    let otlpPort: number | null = null
    if (opts.otlpPort !== undefined && opts.otlpPort !== null) {
      const otlpAuthFailures = authFailureCounter(metrics)
      const o = make((req, res) => {
        const p = auth.authenticate(req.headers.authorization)
        const path = new URL(req.url ?? '/', 'http://x').pathname
        if (!p) {
          otlpAuthFailures({ port: 'otlp', status: '401' })
          return void res.writeHead(401).end()
        }
        if (path !== '/v1/logs' || req.method !== 'POST') return void res.writeHead(404).end()
        void otlp(req, res, p)
      })
      servers.push(o)
      otlpPort = await listen(o, opts.otlpPort, host, 'otlp')
    }

    let forwardPort: number | null = null
    if (opts.forwardPort !== null) {
      const fwd = await startForward(
        { ...opts.forward, host, port: opts.forwardPort ?? 24224 },
        { store, metrics, log, agents },
      )
      servers.push(fwd.server)
      forwardPort = fwd.port
    }

    const ui = make(
      createUiHandler({
        store,
        auth,
        metrics,
        log,
        agents,
        saved: new SavedSearches(opts.dataDir),
        webRoot: opts.webRoot ?? DEFAULT_WEB_ROOT,
        startedAt: Date.now(),
        track: (res) => {
          streams.add(res)
          res.on('close', () => streams.delete(res))
        },
      }),
    )
    servers.push(ui)
    const uiPort = await listen(ui, opts.uiPort ?? 5601, host, 'ui')

    let retentionTimer: NodeJS.Timeout | null = null
    let retentionRun: Promise<void> | null = null
    if (opts.retention && (opts.retention.maxAgeSeconds !== undefined || opts.retention.maxBytes !== undefined)) {
      const policy = opts.retention
      const run = async () => {
        if (retentionRun || closing) return
        retentionRun = (async () => {
          try {
            for (const d of await applyRetention(store, policy)) {
              retentionDrops({ reason: d.reason }, d.rows)
              log.info(`retention: deleted partition ${d.day} (${d.rows} records, ${d.bytes} bytes) by ${d.reason}`)
            }
          } catch (e) {
            log.error(`retention: cannot delete partitions: ${(e as Error).message}`)
          } finally {
            retentionRun = null
          }
        })()
        await retentionRun
      }
      await run()
      retentionTimer = setInterval(() => void run(), opts.retentionIntervalMs ?? 60_000)
      retentionTimer.unref()
    }

    return {
      store,
      esPort,
      uiPort,
      forwardPort,
      otlpPort,
      metrics,
      ids,
      async close() {
        if (closing) return
        closing = true
        if (retentionTimer) clearInterval(retentionTimer)
        if (retentionRun) await retentionRun
        for (const s of streams) s.end()
        // Keep-alive connections would hold close() open for the keep-alive timeout: close them as soon
        // as they turn idle (an in-flight request still gets its answer), and all of them after a grace.
        await Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((resolve) => {
                const http = 'closeIdleConnections' in s ? (s as Server) : null
                const idle = http ? setInterval(() => http.closeIdleConnections(), 50) : null
                const force = http ? setTimeout(() => http.closeAllConnections(), closeGraceMs) : null
                s.close(() => {
                  if (idle) clearInterval(idle)
                  if (force) clearTimeout(force)
                  resolve()
                })
                http?.closeIdleConnections()
              }),
          ),
        )
        await store.close()
      },
    }
  } catch (e) {
    for (const s of servers) s.close()
    await store.close()
    throw e
  }
}
