// Shared pieces of the end-to-end tests: real `sluice agent` / `sluice server` child processes
// (the CLI as a user runs it), temp dirs, bounded polling, and the server's query API.

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const repo = resolve(import.meta.dirname, '..', '..')
export const bin = join(repo, 'packages/cli/bin/sluice.js')
export const coreTestdata = join(repo, 'packages/core/testdata')
export const parserTestdata = join(repo, 'packages/agent/src/parsers/testdata')

export interface Proc {
  readonly child: ChildProcess
  /** Everything it printed so far (stdout and stderr, interleaved). */
  output(): string
  /** SIGTERM, then wait for the exit (SIGKILL after `ms`); returns the exit code or signal. */
  stop(ms?: number): Promise<number | string>
}

/** Spawns `node sluice.js ARGS` from the repository root. */
export function sluice(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  let out = ''
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return {
    child,
    output: () => out,
    stop: async (ms = 15_000) => {
      const done = exited(child)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), ms)
      const r = await done
      clearTimeout(t)
      return r
    },
  }
}

export function exited(c: ChildProcess): Promise<number | string> {
  return new Promise((r) => {
    if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode ?? c.signalCode!)
    else c.once('exit', (code, sig) => r(code ?? sig!))
  })
}

/** Polls `cond` every `every` ms until it returns a value other than undefined/false, or fails after `ms`. */
export async function until<T>(
  what: string,
  cond: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 30_000,
  context: () => string = () => '',
  every = 50,
): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await cond()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${context()}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `sluice-e2e-${prefix}-`))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export interface Server extends Proc {
  readonly esPort: number
  readonly uiPort: number
  readonly forwardPort: number
  search(body: SearchBody): Promise<SearchResult>
  /** Every hit of `query` in [from, to], paged with the `after` cursor. */
  searchAll(query: string, from: string, to: string, fields?: string[]): Promise<Hit[]>
  /** Polls until `query` counts at least `want` hits (writes become visible shortly after ingest). */
  awaitCount(query: string, from: string, to: string, want: number, ms?: number): Promise<number>
}

export interface SearchBody {
  query?: string
  from: string
  to: string
  size?: number
  sort?: 'asc' | 'desc'
  after?: string | null
  fields?: string[]
  /** Count exactly past 10,000 hits (docs/api.md; Elasticsearch's track_total_hits). */
  track_total_hits?: boolean
}
export type Hit = Record<string, unknown> & { _id: string; _index: string; '@timestamp': string }
export interface SearchResult {
  total: number
  hits: Hit[]
  after: string | null
}

/** Starts `sluice server` on ephemeral ports (or the given _bulk port) and waits for `ready`. */
export async function startServer(data: string, esPort = 0, logLevel = 'warn'): Promise<Server> {
  const p = sluice([
    'server',
    '--data',
    data,
    '--es-port',
    String(esPort),
    '--ui-port',
    '0',
    '--forward-port',
    '0',
    '--log-level',
    logLevel,
  ])
  const ports: Record<string, number> = {}
  await until(
    'sluice server to print ready',
    () => {
      if (p.child.exitCode !== null) throw new Error(`sluice server exited early:\n${p.output()}`)
      for (const m of p.output().matchAll(/^(\w+)_port=(\d+)$/gm)) ports[m[1]!] = Number(m[2])
      return /^ready$/m.test(p.output())
    },
    60_000,
    p.output,
  )
  const search = async (body: SearchBody): Promise<SearchResult> => {
    const res = await fetch(`http://127.0.0.1:${ports.ui}/api/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const text = await res.text()
    if (res.status !== 200) throw new Error(`/api/search ${JSON.stringify(body)} → ${res.status}: ${text}`)
    return JSON.parse(text) as SearchResult
  }
  return {
    ...p,
    esPort: ports.es!,
    uiPort: ports.ui!,
    forwardPort: ports.forward!,
    search,
    async searchAll(query, from, to, fields) {
      const hits: Hit[] = []
      let after: string | null = null
      for (;;) {
        const r: SearchResult = await search({ query, from, to, size: 10_000, sort: 'asc', after, fields })
        hits.push(...r.hits)
        if (r.hits.length === 0 || r.after === null) return hits
        after = r.after
      }
    },
    async awaitCount(query, from, to, want, ms = 30_000) {
      let n = -1
      try {
        return await until(
          `${want} hits of '${query}'`,
          async () => {
            n = (await search({ query, from, to, size: 0, track_total_hits: true })).total
            return n >= want ? n : undefined
          },
          ms,
          () => '',
          // an exact count scans the range: poll gently so the count does not slow the ingest it measures
          250,
        )
      } catch {
        return n
      }
    },
  }
}
