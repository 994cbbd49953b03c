// The monitoring HTTP API, with Fluent Bit's endpoints and shapes (administration/monitoring), so
// that probes, Prometheus scrapes and dashboards written for Fluent Bit work unchanged:
//
//   GET  /                            build info            {"fluent-bit":{"version",…}}
//   GET  /api/v1/storage              filesystem buffering (storage.metrics on)
//   GET  /api/v1/uptime               {"uptime_sec", "uptime_hr"}
//   GET  /api/v1/metrics              {"input":{id:{records,bytes}}, "filter":{…}, "output":{…}}
//   GET  /api/v1/metrics/prometheus   Prometheus text 0.0.4
//   GET  /api/v2/metrics              cmetrics text ("<time> name{labels} = value")
//   GET  /api/v2/metrics/prometheus   Prometheus text 0.0.4
//   GET  /api/v1/health, /api/v2/health   200 "ok" / 500 "error" (v2: JSON with the counts)
//   POST /api/v2/reload (also PUT)    hot reload, when Hot_Reload is on; GET: the reload count

import type { IncomingMessage, ServerResponse } from 'node:http'

// node:http through getBuiltinModule, not an ESM import: importing it builds an ESM facade that reads
// every export, and its lazy WebSocket/MessageEvent exports load Node's bundled undici (~11 MB of RSS)
// that the monitoring server never uses.
const { createServer } = process.getBuiltinModule('node:http')

import type { AddressInfo } from 'node:net'
import type { Diagnostic } from '@sluice/core/diagnostics.ts'
import { formatDiagnostic } from '@sluice/core/diagnostics.ts'
import type { MetricsRegistry } from '../metrics.ts'
import { cmetricsText, uptimeHuman, v1Metrics } from './formats.ts'

export interface MonitoringSource {
  readonly metrics: MetricsRegistry
  readonly version: string
  readonly hostname: string
  /** Also refreshes the fluentbit_uptime gauge. */
  uptimeSec(): number
  instances(): { inputs: string[]; filters: string[]; outputs: string[] }
  health(): { enabled: boolean; healthy: boolean; errors: number; retriesFailed: number }
  hotReload(): boolean
  reload(): Promise<{ ok: boolean; diagnostics: Diagnostic[] }>
  reloadCount(): number
  /** Fluent Bit's /api/v1/storage document; undefined when storage.metrics is off or nothing buffers on disk. */
  storage?(): object | undefined
}

export interface MonitoringServer {
  readonly port: number
  close(): Promise<void>
}

export interface MonitoringOptions {
  readonly listen: string
  readonly port: number
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json', JSON.stringify(body))
const PROM = 'text/plain; version=0.0.4'

async function handle(src: MonitoringSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/'
  const method = req.method ?? 'GET'
  if (path === '/api/v2/reload') {
    if (method === 'POST' || method === 'PUT') {
      if (!src.hotReload()) return json(res, 400, { reload: 'not enabled', status: -1 })
      const r = await src.reload()
      if (r.ok) return json(res, 200, { reload: 'done', status: 0 })
      return json(res, 400, {
        reload: 'refused',
        status: -1,
        errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
      })
    }
    if (method === 'GET') return json(res, 200, { hot_reload_count: src.reloadCount() })
    return json(res, 405, { error: `method ${method} not allowed` })
  }
  if (method !== 'GET' && method !== 'HEAD') return json(res, 405, { error: `method ${method} not allowed` })
  switch (path) {
    case '/':
      return json(res, 200, {
        'fluent-bit': {
          version: src.version,
          edition: 'Sluice',
          flags: ['FLB_HAVE_METRICS', 'FLB_HAVE_HTTP_SERVER', 'FLB_HAVE_RECORD_ACCESSOR'],
        },
      })
    case '/api/v1/uptime': {
      const s = src.uptimeSec()
      return json(res, 200, { uptime_sec: s, uptime_hr: uptimeHuman(s) })
    }
    case '/api/v1/metrics':
      return json(res, 200, v1Metrics(src.metrics, src.instances()))
    case '/api/v1/metrics/prometheus':
    case '/api/v2/metrics/prometheus':
      src.uptimeSec()
      return send(res, 200, PROM, src.metrics.prometheus())
    case '/api/v2/metrics':
      src.uptimeSec()
      return send(res, 200, 'text/plain', cmetricsText(src.metrics, new Date()))
    case '/api/v1/storage': {
      const doc = src.storage?.()
      return doc
        ? json(res, 200, doc)
        : json(res, 404, { error: 'storage metrics are off: set storage.path and storage.metrics on in [SERVICE]' })
    }
    case '/api/v1/health': {
      const h = src.health()
      return send(res, h.healthy ? 200 : 500, 'text/plain', h.healthy ? 'ok' : 'error')
    }
    case '/api/v2/health': {
      const h = src.health()
      return json(res, h.healthy ? 200 : 500, {
        status: h.healthy ? 'ok' : 'error',
        health_check: h.enabled,
        errors: h.errors,
        retries_failed: h.retriesFailed,
      })
    }
    default:
      return json(res, 404, { error: `no such endpoint: ${path}` })
  }
}

export function startMonitoring(src: MonitoringSource, o: MonitoringOptions): Promise<MonitoringServer> {
  const server = createServer((req, res) => {
    handle(src, req, res).catch((err) => {
      if (!res.headersSent) json(res, 500, { error: String((err as Error)?.message ?? err) })
      else res.destroy()
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.listen, () => {
      server.off('error', reject)
      const port = (server.address() as AddressInfo).port
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}
