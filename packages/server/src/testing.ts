// Helpers for the server's tests: a real server on ephemeral loopback ports over a temporary data
// directory, and small HTTP clients.

import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '@sluice/core/log.ts'
import { type RunningServer, type ServerOptions, startServer } from './server.ts'

export interface TestServer extends RunningServer {
  readonly dir: string
  readonly es: string
  readonly ui: string
  readonly lines: string[]
  /** Closes the server and removes its directory. */
  dispose(): Promise<void>
}

export function tempDir(prefix = 'sluice-srv-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export async function testServer(opts: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = opts.dataDir ?? tempDir()
  const log = memoryLogger('debug')
  const s = await startServer({
    esPort: 0,
    uiPort: 0,
    forwardPort: 0,
    webRoot: join(dir, 'no-web'),
    ...opts,
    dataDir: dir,
    log,
    store: { segmentMaxAgeMs: 50, ...opts.store },
  })
  return Object.assign(s, {
    dir,
    es: `http://127.0.0.1:${s.esPort}`,
    ui: `http://127.0.0.1:${s.uiPort}`,
    lines: log.lines,
    async dispose() {
      await s.close()
      if (!opts.dataDir) rmSync(dir, { recursive: true, force: true })
    },
  })
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json(): any
}

/** A plain HTTP request (keeps full control of headers and body bytes). */
export function http(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return http(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** NDJSON bulk body from action/source pairs. */
export function ndjson(lines: unknown[]): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'
}

export function k8sDoc(
  i: number,
  extra: Record<string, unknown> = {},
  t0 = Date.now() - 60_000,
): Record<string, unknown> {
  return {
    '@timestamp': new Date(t0 + i * 10).toISOString(),
    log: `request ${i} handled in ${i % 100}ms${i % 10 === 0 ? ' ERROR upstream timeout' : ''}`,
    stream: i % 7 === 0 ? 'stderr' : 'stdout',
    kubernetes: {
      namespace_name: i % 3 === 0 ? 'payments' : 'checkout',
      pod_name: `api-${i % 4}`,
      container_name: 'api',
      host: `node-${i % 2}`,
      labels: { app: 'api', 'app.kubernetes.io/name': `api-${i % 2}` },
    },
    ...extra,
  }
}

/** Sends docs through `_bulk` with refresh=wait_for and returns the response JSON. */
export async function bulk(es: string, docs: Record<string, unknown>[], index = 'logs-test'): Promise<any> {
  const body = ndjson(docs.flatMap((d) => [{ create: { _index: index } }, d]))
  const r = await http(`${es}/_bulk?refresh=wait_for`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-ndjson' },
  })
  if (r.status !== 200) throw new Error(`bulk failed: ${r.status} ${r.text}`)
  return r.json()
}
