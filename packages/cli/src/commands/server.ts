// `sluice server`: the central log server. Starts with no configuration; prints each bound port on a
// line of its own (`es_port=9200`, `ui_port=5601`, `forward_port=24224`, `otlp_port=…`) so that
// scripts, tests and `sluice up` can read them, then `ready`. SIGINT/SIGTERM stop it cleanly.

import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger, type LogLevel } from '@sluice/core/log.ts'
import { parseSize, parseTime } from '@sluice/core/options.ts'

export const summary = 'Run the log server: Elasticsearch-compatible ingest, DuckDB store, query API and UI'

const usage = `Usage: sluice server [options]

  --data DIR            data directory (default ./data); one server per directory
  --es-port N           Elasticsearch-compatible ingest port, also OTLP/HTTP /v1/logs (default 9200; 0 = any)
  --ui-port N           query API and web UI port (default 5601; 0 = any)
  --forward-port N|off  Fluent forward port (default 24224; 0 = any)
  --otlp-port N         also serve OTLP/HTTP on this port (e.g. 4318)
  --host ADDR           bind address (default 127.0.0.1; 0.0.0.0 for all)
  --config FILE         YAML settings: auth tokens and users, TLS, retention, forward shared_key (docs/server.md)
  --retention AGE       delete day partitions older than AGE (e.g. 7d)
  --retention-size SIZE keep the store under SIZE (e.g. 50GB), deleting the oldest days
  --shared-key KEY      require this forward shared_key
  --tls-cert FILE       serve HTTPS with this PEM certificate (with --tls-key)
  --tls-key FILE
  --log-level LEVEL     error, warn, info (default), debug
`

export async function run(args: string[]): Promise<number> {
  let v: Record<string, string | boolean | undefined>
  try {
    v = parseArgs({
      args,
      options: {
        data: { type: 'string' },
        'es-port': { type: 'string' },
        'ui-port': { type: 'string' },
        'forward-port': { type: 'string' },
        'otlp-port': { type: 'string' },
        host: { type: 'string' },
        config: { type: 'string' },
        retention: { type: 'string' },
        'retention-size': { type: 'string' },
        'shared-key': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    console.error(`sluice server: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.help) {
    console.log(usage)
    return 0
  }
  const { loadServerConfig, parsePort } = await import('@sluice/server/config.ts')
  const errors: string[] = []
  let cfg: Awaited<ReturnType<typeof loadServerConfig>> = { config: {} }
  if (typeof v.config === 'string') {
    cfg = loadServerConfig(v.config)
    if ('errors' in cfg) {
      for (const e of cfg.errors) console.error(`sluice server: ${e}`)
      return 2
    }
  }
  const c = { ...cfg.config }
  const port = (flag: string, allowOff = false) =>
    parsePort(v[flag] as string | undefined, `--${flag}`, errors, allowOff)
  const es = port('es-port')
  const ui = port('ui-port')
  const fwd = port('forward-port', true)
  const otlp = port('otlp-port', true)
  if (es !== undefined && es !== null) c.esPort = es
  if (ui !== undefined && ui !== null) c.uiPort = ui
  if (fwd !== undefined) c.forwardPort = fwd
  if (otlp !== undefined) c.otlpPort = otlp
  if (typeof v.data === 'string') c.dataDir = resolve(v.data)
  if (typeof v.host === 'string') c.host = v.host
  if (typeof v.retention === 'string') {
    const s = parseTime(v.retention)
    if (s === undefined || s <= 0) errors.push(`--retention: '${v.retention}' is not a duration (examples: 7d, 12h)`)
    else c.retention = { ...c.retention, maxAgeSeconds: s }
  }
  if (typeof v['retention-size'] === 'string') {
    const b = parseSize(v['retention-size'])
    if (b === undefined || b <= 0)
      errors.push(`--retention-size: '${v['retention-size']}' is not a size (examples: 500MB, 50GB)`)
    else c.retention = { ...c.retention, maxBytes: b }
  }
  if (typeof v['shared-key'] === 'string') c.forward = { ...c.forward, sharedKey: v['shared-key'] }
  if (typeof v['tls-cert'] === 'string' || typeof v['tls-key'] === 'string') {
    if (typeof v['tls-cert'] !== 'string' || typeof v['tls-key'] !== 'string')
      errors.push('--tls-cert and --tls-key go together')
    else c.tls = { cert: resolve(v['tls-cert']), key: resolve(v['tls-key']) }
  }
  const level = (typeof v['log-level'] === 'string' ? v['log-level'] : (c.logLevel ?? 'info')) as LogLevel
  if (!['off', 'error', 'warn', 'info', 'debug', 'trace'].includes(level))
    errors.push(`--log-level: '${level}' is not one of error, warn, info, debug`)
  if (errors.length > 0) {
    for (const e of errors) console.error(`sluice server: ${e}`)
    return 2
  }

  const log = createLogger({ level }, 'server')
  const { startServer } = await import('@sluice/server/server.ts')
  let srv: Awaited<ReturnType<typeof startServer>>
  try {
    srv = await startServer({ ...c, dataDir: c.dataDir ?? resolve('data'), log })
  } catch (e) {
    console.error(`sluice server: ${(e as Error).message}`)
    return 1
  }
  const lines = [`es_port=${srv.esPort}`, `ui_port=${srv.uiPort}`]
  if (srv.forwardPort !== null) lines.push(`forward_port=${srv.forwardPort}`)
  if (srv.otlpPort !== null) lines.push(`otlp_port=${srv.otlpPort}`)
  lines.push('ready')
  process.stdout.write(lines.join('\n') + '\n')
  log.info(
    `listening on ${c.host ?? '127.0.0.1'}: ${lines.slice(0, -1).join(' ')}; data in ${c.dataDir ?? resolve('data')}`,
  )

  return new Promise<number>((done) => {
    let stopping = false
    const stop = (sig: string) => {
      if (stopping) return
      stopping = true
      log.info(`${sig}: stopping (flushing the write-ahead log into the store)`)
      srv.close().then(
        () => done(0),
        (e) => {
          log.error(`cannot stop cleanly: ${(e as Error).message}`)
          done(1)
        },
      )
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
  })
}
