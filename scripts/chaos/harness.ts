// The chaos harness: real `sluice server` and `sluice agent` child processes on 127.0.0.1, a generated
// Kubernetes workload whose every CRI line carries a unique marker (gen's `markLines`), and a checker
// that pages through the server's /api/search and counts each marker: lost = written but never
// stored, duplicates = stored more than once. Scenarios (the `*.chaos.ts` files) kill and restart the
// processes and mess with the files in between; each prints its rows of the result table.

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Workload, type WorkloadOptions } from '../../packages/cli/src/gen/workload.ts'

export const repo = resolve(fileURLToPath(import.meta.url), '../../..')
const bin = join(repo, 'packages/cli/bin/sluice.js')

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface Proc {
  readonly child: ChildProcess
  /** Everything the process printed so far (stdout + stderr). */
  log(): string
}

function start(args: string[]): Proc {
  let log = ''
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d) => {
    log += d
  })
  child.stderr!.on('data', (d) => {
    log += d
  })
  return { child, log: () => log }
}

export function exited(c: ChildProcess): Promise<number | string> {
  return new Promise((r) => {
    if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode ?? c.signalCode!)
    else c.once('exit', (code, sig) => r(code ?? sig!))
  })
}

export function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null
}

export async function kill9(p: Proc): Promise<void> {
  if (!alive(p.child)) return
  p.child.kill('SIGKILL')
  await exited(p.child)
}

/** Polls `cond` until true; fails with `what` and the processes' logs after `ms`. */
export async function until(what: string, cond: () => Promise<boolean> | boolean, logs: () => string, ms = 60_000) {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${logs().slice(-4000)}`)
    await sleep(250)
  }
}

export interface Server extends Proc {
  readonly esPort: number
  readonly uiPort: number
}

/** Starts `sluice server` on DATA; `esPort` 0 picks one (a restart passes the earlier one). */
export async function startServer(data: string, esPort = 0, extra: string[] = []): Promise<Server> {
  const p = start([
    'server',
    '--data',
    data,
    '--es-port',
    String(esPort),
    '--ui-port',
    '0',
    '--forward-port',
    'off',
    ...extra,
  ])
  await until('the server to print ready', () => /^ready$/m.test(p.log()) || !alive(p.child), p.log, 60_000)
  const es = /^es_port=(\d+)$/m.exec(p.log())
  const ui = /^ui_port=(\d+)$/m.exec(p.log())
  if (!es || !ui) throw new Error(`server did not start:\n${p.log()}`)
  return { ...p, esPort: Number(es[1]), uiPort: Number(ui[1]) }
}

export function startAgent(conf: string): Proc {
  return start(['agent', '-c', conf])
}

export interface AgentConfOptions {
  readonly root: string
  readonly state: string
  readonly esPort: number
  /**
   * Deterministic ids: Generate_ID On (default); `id_key`: a parser filter copies the line's marker
   * into `mark_id` and the es output uses Id_Key mark_id (an application-level unique id); or none.
   */
  readonly ids?: 'generate_id' | 'id_key' | 'none'
  readonly memBufLimit?: string
  /** Tail Path relative to root (default var/log/containers/*.log). */
  readonly path?: string
  /** Tail Tag (default kube.*). */
  readonly tag?: string
}

/**
 * The agent config every scenario uses: tail /var/log/containers/*.log with the CRI multiline parser
 * and a tail DB in the state directory, es output with Retry_Limit no_limits. Retries back off
 * between 1 and 5 s (scheduler.base/cap) so that delivery resumes within seconds of an outage.
 */
export async function writeAgentConf(o: AgentConfOptions): Promise<string> {
  const conf = join(o.state, '..', `agent-${Date.now()}.conf`)
  const parsers = join(o.state, '..', 'parsers.conf')
  await writeFile(
    parsers,
    `[PARSER]
    Name   marker
    Format regex
    Regex  (?:"mark":|mark=)(?<mark_id>\\d+)
`,
  )
  const idKey =
    o.ids === 'id_key'
      ? `
[FILTER]
    Name         parser
    Match        kube*
    Key_Name     log
    Parser       marker
    Reserve_Data On
    Preserve_Key On
`
      : ''
  await writeFile(
    conf,
    `[SERVICE]
    Parsers_File     ${parsers}
    Flush            0.5
    Grace            2
    Log_Level        warn
    scheduler.base   1
    scheduler.cap    5

[INPUT]
    Name              tail
    Path              ${o.root}/${o.path ?? 'var/log/containers/*.log'}
    Tag               ${o.tag ?? 'kube.*'}
    multiline.parser  cri
    DB                ${o.state}/tail.db
    Read_From_Head    On
    Refresh_Interval  1
    Rotate_Wait       60
    Mem_Buf_Limit     ${o.memBufLimit ?? '8MB'}
${idKey}[OUTPUT]
    Name                es
    Match               kube*
    Host                127.0.0.1
    Port                ${o.esPort}
    Index               chaos
    Suppress_Type_Name  On
    ${o.ids === 'id_key' ? 'Id_Key              mark_id' : `Generate_ID         ${o.ids === 'none' ? 'Off' : 'On'}`}
    Retry_Limit         no_limits
`,
  )
  return conf
}

export interface Count {
  /** Markers written. */
  readonly written: number
  /** Distinct markers found in the store. */
  readonly stored: number
  readonly lost: number
  /** Documents whose marker was already seen. */
  readonly duplicates: number
  readonly docs: number
  /** The first missing markers, for the failure message. */
  readonly missing: readonly number[]
  /** A few duplicated markers with the `_id` of their second document. */
  readonly dupSamples: readonly string[]
}

const MARK = /(?:"mark":|\bmark=)(\d+)/

/** Pages through every document of the store (size 10000, `after` cursor) and counts markers. */
export async function countMarks(uiPort: number, written: number): Promise<Count> {
  const seen = new Uint8Array(written + 1)
  let duplicates = 0
  const dupSamples: string[] = []
  let docs = 0
  let after: string | null = null
  do {
    const res = await fetch(`http://127.0.0.1:${uiPort}/api/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: '2000-01-01T00:00:00Z',
        to: '2100-01-01T00:00:00Z',
        size: 10000,
        sort: 'asc',
        fields: ['log'],
        ...(after ? { after } : {}),
      }),
    })
    if (!res.ok) throw new Error(`search answered ${res.status}: ${await res.text()}`)
    const body = (await res.json()) as { hits: Array<{ _id?: string; log?: unknown }>; after: string | null }
    for (const h of body.hits) {
      docs++
      const m = MARK.exec(typeof h.log === 'string' ? h.log : JSON.stringify(h))
      if (!m) continue
      const n = Number(m[1])
      if (n > written) continue
      if (seen[n]) {
        duplicates++
        if (dupSamples.length < 5) dupSamples.push(`${n}:${h._id}`)
      } else seen[n] = 1
    }
    after = body.hits.length > 0 ? body.after : null
  } while (after)
  let stored = 0
  const missing: number[] = []
  for (let i = 1; i <= written; i++) {
    stored += seen[i]!
    if (!seen[i] && missing.length < 20) missing.push(i)
  }
  return { written, stored, lost: written - stored, duplicates, docs, missing, dupSamples }
}

/**
 * Waits until every written marker is stored, as long as delivery makes progress (a loaded machine
 * catches up slowly; a lost line never comes): gives up after `stallMs` without a new marker, or
 * after `maxMs` in all. Returns the final count.
 */
export async function settle(
  uiPort: number,
  written: number,
  logs: () => string,
  stallMs = 45_000,
  maxMs = 300_000,
): Promise<Count> {
  const end = Date.now() + maxMs
  let c = await countMarks(uiPort, written)
  let lastProgress = Date.now()
  while (c.lost > 0 && Date.now() < end && Date.now() - lastProgress < stallMs) {
    await sleep(1000)
    const next = await countMarks(uiPort, written)
    if (next.stored > c.stored) lastProgress = Date.now()
    c = next
  }
  // a last look after a quiet second catches duplicates that arrive after the final line
  await sleep(1500)
  c = await countMarks(uiPort, written)
  if (c.lost > 0)
    console.error(`${c.lost} markers missing (first: ${c.missing.join(' ')}); logs:\n${logs().slice(-4000)}`)
  return c
}

/** Peak resident set size (VmHWM) of a process, in bytes, from /proc/<pid>/status. */
export async function vmHwm(pid: number): Promise<number> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = /^VmHWM:\s+(\d+) kB/m.exec(s)
  if (!m) throw new Error(`no VmHWM in /proc/${pid}/status`)
  return Number(m[1]) * 1024
}

/** A generated workload writing at `rate` events/s in the background until `stop()`. */
export class Writer {
  /** Every writer started, so that cleanup can stop the ones a failed test left running. */
  static readonly running = new Set<Writer>()
  readonly w: Workload
  private timer: NodeJS.Timeout | undefined
  private last = Date.now()
  private carry = 0
  rate: number

  constructor(opts: Omit<WorkloadOptions, 'markLines'>, rate: number) {
    this.w = new Workload({ ...opts, markLines: true })
    this.rate = rate
  }

  get written(): number {
    return this.w.lastMark
  }

  /** Writes `n` events now and flushes them to disk. */
  burst(n: number): void {
    const now = Date.now()
    this.w.writeEvents(n, now - 1, now)
    this.w.flush()
  }

  start(onTick?: (w: Workload) => void): this {
    Writer.running.add(this)
    this.last = Date.now()
    this.timer = setInterval(() => {
      const now = Date.now()
      this.carry += (this.rate * (now - this.last)) / 1000
      const n = Math.floor(this.carry)
      this.carry -= n
      if (n > 0) this.w.writeEvents(n, this.last, now)
      this.last = now
      this.w.flush()
      onTick?.(this.w)
    }, 100)
    return this
  }

  stop(): void {
    Writer.running.delete(this)
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.w.flush()
  }
}

export interface Row {
  scenario: string
  written: number
  stored: number
  lost: number
  duplicates: number
  note: string
}

/** Prints the result table of a chaos file on stdout. */
export function printTable(rows: readonly Row[]): void {
  const head = ['scenario', 'lines written', 'stored', 'lost', 'duplicates', 'note']
  const cells = rows.map((r) => [r.scenario, r.written, r.stored, r.lost, r.duplicates, r.note].map(String))
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`
  console.log(['', line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ''].join('\n'))
}

/** A temp dir with `root` (workload), `state` (agent) and `data` (server) inside; removed by `cleanup`. */
export async function scratch(name: string) {
  const dir = await mkdtemp(join(tmpdir(), `sluice-chaos-${name}-`))
  const procs: Proc[] = []
  return {
    dir,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    data: join(dir, 'data'),
    track<T extends Proc>(p: T): T {
      procs.push(p)
      return p
    },
    logs: () => procs.map((p) => p.log().slice(-3000)).join('\n----\n'),
    async cleanup() {
      for (const w of Writer.running) {
        w.stop()
        w.w.close()
      }
      for (const p of procs) await kill9(p)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
