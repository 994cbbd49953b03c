// `sluice up`: the whole system on this machine, no cluster and no configuration needed.
// A demo node writes realistic container logs; `sluice agent` tails them with the seeds' pipeline and
// ships to `sluice server` (DuckDB store + web UI). Ctrl-C stops everything cleanly; data is kept.
//
// Server and agent run as child processes (one core each on a 2-core machine), in their own process
// groups so that Ctrl-C reaches only `up`, which then stops the agent first (it drains to the server
// within its Grace period) and the server last.

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runLive } from '../gen/live.ts'
import { demoAgentConfig } from '../up/demo-config.ts'

export const summary = 'Run the whole system on this machine: server, web UI, agent and a demo workload'

const usage = `Usage: sluice up [options]

Starts sluice server (DuckDB store + web UI), a demo node writing realistic Kubernetes container logs, and
sluice agent shipping them with the seeds' pipeline. Prints the UI URL and a status line. Ctrl-C stops
everything; the data is kept for the next start.

  --data DIR        data directory (default ./data): store, demo node logs, agent state
  --ui-port N       web UI and query API port (default 5601; 0 = any free port)
  --es-port N       Elasticsearch-compatible ingest port (default 9200; 0 = any free port)
  --rate N          demo events per second (default 50; bursts are 5x)
  --seed N          workload seed (default 1)
  --kube URL        take pod metadata from this Kubernetes API (token and CA from the in-cluster
                    service account paths) instead of from file names
  --quiet           no status line
`

const cliBin = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

export async function run(args: string[]): Promise<number> {
  let v: ReturnType<typeof parse>
  try {
    v = parse(args)
  } catch (e) {
    console.error(`sluice up: ${(e as Error).message}\n\n${usage}`)
    return 2
  }
  if (v.help) {
    console.log(usage)
    return 0
  }
  const dataDir = resolve(v.data ?? 'data')
  const storeDir = join(dataDir, 'store')
  const demoRoot = join(dataDir, 'demo-node')
  const agentDir = join(dataDir, 'agent')
  for (const d of [storeDir, demoRoot, agentDir]) mkdirSync(d, { recursive: true })

  const uiPort = await choosePort(v['ui-port'] ?? '5601', 'ui')
  const esPort = await choosePort(v['es-port'] ?? '9200', 'es')
  const monitorPort = await choosePort('0', 'agent monitoring')
  if (typeof uiPort === 'string' || typeof esPort === 'string' || typeof monitorPort === 'string') {
    console.error(`sluice up: ${[uiPort, esPort, monitorPort].find((p) => typeof p === 'string')}`)
    return 1
  }

  await ensureWebBuilt()

  const children: ChildProcess[] = []
  let stopping = false
  const stopAll = async () => {
    if (stopping) return
    stopping = true
    // Agent first, so it can deliver what it holds; then the server.
    for (const c of [...children].reverse()) await stopChild(c, 15_000)
  }
  process.on('exit', () => {
    for (const c of children) if (c.exitCode === null && c.pid) tryKill(-c.pid, 'SIGKILL')
  })

  const server = startChild('server', [
    'server',
    '--data',
    storeDir,
    '--es-port',
    String(esPort),
    '--ui-port',
    String(uiPort),
    '--forward-port',
    '0',
  ])
  children.push(server)
  const serverUp = await waitFor(
    async () =>
      (await httpOk(`http://127.0.0.1:${esPort}/`)) && (await httpOk(`http://127.0.0.1:${uiPort}/api/health`)),
    60_000,
    () => server.exitCode !== null,
  )
  if (!serverUp) {
    console.error('sluice up: the server did not start (see its log lines above)')
    await stopAll()
    return 1
  }

  // A new demo "node" each start: earlier runs' pods are gone (their logs stay until the agent read them).
  const starts = bumpStarts(demoRoot)
  pruneOldPods(demoRoot, 3_600_000)
  const ac = new AbortController()
  const workload = runLive({
    root: demoRoot,
    seed: Number(v.seed ?? 1) * 1000 + starts,
    rate: Number(v.rate ?? 50),
    churnEverySec: 30,
    deleteAfterSec: 60,
    signal: ac.signal,
  })

  const { findPlugin } = await import('@sluice/agent/registry.ts')
  const plugins = new Set(
    ['cpu', 'mem', 'disk', 'netif', 'multiline', 'kubernetes', 'grep', 'modify'].filter((n) =>
      findPlugin(n === 'cpu' || n === 'mem' || n === 'disk' || n === 'netif' ? 'input' : 'filter', n),
    ),
  )
  const configPath = join(agentDir, 'sluice-demo.conf')
  writeFileSync(
    configPath,
    demoAgentConfig({
      containersDir: join(demoRoot, 'var', 'log', 'containers'),
      agentDir,
      esPort,
      monitorPort,
      kubeUrl: v.kube,
      plugins,
    }),
  )
  const agent = startChild('agent', ['agent', '-c', configPath])
  children.push(agent)

  console.log(`\nSluice is up.
  Web UI:            http://127.0.0.1:${uiPort}/
  Elasticsearch API: http://127.0.0.1:${esPort}/   (point Fluent Bit, Filebeat or Vector here)
  Agent config:      ${configPath}
  Data:              ${dataDir}
Press Ctrl-C to stop.\n`)

  const status = v.quiet ? undefined : startStatus(uiPort, monitorPort)
  const done = new Promise<number>((resolveDone) => {
    const finish = async (code: number) => {
      status?.stop()
      ac.abort()
      await workload.catch(() => undefined)
      await stopAll()
      resolveDone(code)
    }
    process.once('SIGINT', () => void finish(0))
    process.once('SIGTERM', () => void finish(0))
    for (const c of children) {
      c.once('exit', (code, signal) => {
        if (stopping) return
        console.error(
          `sluice up: ${c === agent ? 'agent' : 'server'} exited unexpectedly (${signal ?? `code ${code}`}); stopping`,
        )
        void finish(1)
      })
    }
  })
  const code = await done
  console.log('Sluice stopped. Data kept in', dataDir)
  return code
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      data: { type: 'string' },
      'ui-port': { type: 'string' },
      'es-port': { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      kube: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values
}

function startChild(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [cliBin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], detached: true })
  child.on('error', (e) => console.error(`sluice up: cannot start ${name}: ${e.message}`))
  return child
}

function tryKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

async function stopChild(c: ChildProcess, timeoutMs: number): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || !c.pid) return
  const exited = new Promise<void>((r) => c.once('exit', () => r()))
  tryKill(c.pid, 'SIGTERM')
  const t = setTimeout(() => c.pid && tryKill(-c.pid, 'SIGKILL'), timeoutMs)
  await exited
  clearTimeout(t)
  // Anything the child left in its process group goes too.
  tryKill(-c.pid, 'SIGKILL')
}

/** A fixed port, or a free one for "0". Returns an error message when a fixed port is taken. */
async function choosePort(spec: string, what: string): Promise<number | string> {
  const want = Number(spec)
  if (!Number.isInteger(want) || want < 0 || want > 65535) return `--${what} port '${spec}' is not a port number`
  return new Promise((res) => {
    const srv = createServer()
    srv.once('error', (e: NodeJS.ErrnoException) =>
      res(
        e.code === 'EADDRINUSE'
          ? `port ${want} (${what}) is in use: stop what uses it or choose another with --${what.split(' ')[0]}-port`
          : `cannot use port ${want} (${what}): ${e.message}`,
      ),
    )
    srv.listen(want, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => res(port))
    })
  })
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) })
    await r.arrayBuffer()
    return r.ok
  } catch {
    return false
  }
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, abort: () => boolean): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await cond()) return true
    if (abort()) return false
    await new Promise((r) => setTimeout(r, 250))
  }
  return false
}

async function ensureWebBuilt(): Promise<void> {
  const web = join(repoRoot, 'packages', 'web')
  if (existsSync(join(web, 'dist', 'index.html')) || !existsSync(join(web, 'index.html'))) return
  console.log('Building the web UI (first start only)…')
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js')
  await new Promise<void>((res) => {
    const c = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' })
    c.on('exit', () => res())
    c.on('error', () => res())
  })
}

function bumpStarts(demoRoot: string): number {
  const f = join(demoRoot, '.starts')
  const n = existsSync(f) ? Number(readFileSync(f, 'utf8')) + 1 || 1 : 1
  writeFileSync(f, String(n))
  return n
}

/** Deletes pod log directories of earlier runs untouched for `maxAgeMs` (kubelet's garbage collection). */
function pruneOldPods(demoRoot: string, maxAgeMs: number): void {
  const pods = join(demoRoot, 'var', 'log', 'pods')
  const containers = join(demoRoot, 'var', 'log', 'containers')
  if (!existsSync(pods)) return
  const now = Date.now()
  for (const name of readdirSync(pods)) {
    const dir = join(pods, name)
    if (now - statSync(dir).mtimeMs < maxAgeMs) continue
    rmSync(dir, { recursive: true, force: true })
  }
  if (!existsSync(containers)) return
  for (const link of readdirSync(containers))
    if (!existsSync(join(containers, link))) rmSync(join(containers, link), { force: true })
}

function startStatus(uiPort: number, monitorPort: number): { stop(): void } {
  let last: { t: number; n: number } | undefined
  const tty = process.stdout.isTTY
  let lastPrint = 0
  const tick = async () => {
    const stats = (await getJson(`http://127.0.0.1:${uiPort}/api/stats`)) as
      | { records_total?: number; ingest?: { errors_total?: number } }
      | undefined
    const metrics = await getText(`http://127.0.0.1:${monitorPort}/api/v1/metrics/prometheus`)
    const n = stats?.records_total ?? 0
    const now = Date.now()
    const rate = last ? ((n - last.n) * 1000) / (now - last.t) : 0
    last = { t: now, n }
    const agentErrors = sumMetric(metrics, 'fluentbit_output_errors_total')
    const dropped = sumMetric(metrics, 'fluentbit_output_dropped_records_total')
    const line = `records stored: ${n} (${rate.toFixed(0)}/s) · ingest errors: ${stats?.ingest?.errors_total ?? 0} · agent output errors: ${agentErrors} · dropped: ${dropped}`
    if (tty) process.stdout.write(`\r${line}   `)
    else if (now - lastPrint >= 10_000) {
      console.log(line)
      lastPrint = now
    }
  }
  const timer = setInterval(() => void tick(), 2000)
  return {
    stop() {
      clearInterval(timer)
      if (tty) process.stdout.write('\n')
    },
  }
}

function sumMetric(text: string | undefined, name: string): number {
  if (!text) return 0
  let sum = 0
  for (const line of text.split('\n'))
    if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0
  return sum
}

async function getJson(url: string): Promise<unknown> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) })
    return r.ok ? await r.json() : undefined
  } catch {
    return undefined
  }
}

async function getText(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) })
    return r.ok ? await r.text() : undefined
  } catch {
    return undefined
  }
}
