// The agent: builds a pipeline from a loaded config, runs it, reloads it, stops it.
//
//   createAgent(config, opts) → start() → … → reload(newConfig) → … → stop()
//
// start: plan every instance and refuse to start on any config error (all of them listed, with
// file:line, instance and option); init outputs, then filters, then inputs (downstream first, so
// nothing is emitted into a pipeline that cannot take it); start the inputs; serve the monitoring
// API when HTTP_Server is on.
//
// stop (SIGTERM/SIGINT): stop inputs, flush filters, deliver what can be delivered within Grace,
// stop retrying, stop outputs, and log what was left undelivered (count, reason). Records left are
// not acknowledged, so an input that commits on acknowledgement (tail) reads them again next start.
//
// reload: the new config is planned and its new instances initialised first; a bad config is refused
// with its errors and the old pipeline keeps running. Unchanged instances (same plugin, entries and
// id) keep their state and their queued records; counters are not reset.

import { createWriteStream, type WriteStream } from 'node:fs'
import { readFile as fsReadFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, isAbsolute, resolve as resolvePath } from 'node:path'
import type { LoadedConfig } from '@sluice/core/config/model.ts'
import { type Diagnostic, formatDiagnostic, hasErrors } from '@sluice/core/diagnostics.ts'
import { createLogger, type Logger, type LogLevel } from '@sluice/core/log.ts'
import { Delivery } from './engine/delivery.ts'
import { Health } from './engine/health.ts'
import { InputRuntime } from './engine/input-runtime.ts'
import { filterSeries, inputSeries, outputSeries } from './engine/metric-names.ts'
import { OutputQueue, type QueueSettings } from './engine/output-queue.ts'
import {
  type FilterPlan,
  type InputPlan,
  type OutputPlan,
  type Plan,
  type PluginSet,
  planPipeline,
} from './engine/plan.ts'
import { type FilterRuntime, type OutputRoute, Router } from './engine/router.ts'
import { type InputStore, type LimitedOutput, StorageManager } from './engine/storage/store.ts'
import { deadline, resolveTiming, scaledMs, type Timing } from './engine/timing.ts'
import { createMetrics, type MetricsRegistry } from './metrics.ts'
import { type MonitoringServer, startMonitoring } from './monitoring/server.ts'
import type { FilterContext, InputContext, OutputContext, PluginContext, ServiceSettings } from './plugin.ts'

export const SLUICE_VERSION = '0.1.0'

export interface AgentOptions {
  /** The plugins to use (tests inject fakes); default: the registry. */
  readonly plugins?: PluginSet
  /** Overrides the [SERVICE] Log_Level (the CLI's --log-level). */
  readonly logLevel?: string
  /** Where log lines go (default stderr). */
  readonly logWrite?: (line: string) => void
  /** Clock, random source and time scale (tests run durations faster and deterministic). */
  readonly timing?: Partial<Timing>
  readonly metrics?: MetricsRegistry
  /** Re-reads the config, for SIGHUP and POST /api/v2/reload (the CLI passes its loader). */
  readonly reloadSource?: () => Promise<LoadedConfig>
}

/** The config cannot run: every problem found, each with file:line, instance and option. */
export class AgentConfigError extends Error {
  readonly diagnostics: Diagnostic[]
  constructor(what: string, diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error')
    super(`${what}: ${errors.length} error(s)\n${errors.map(formatDiagnostic).join('\n')}`)
    this.name = 'AgentConfigError'
    this.diagnostics = diagnostics
  }
}

export interface ReloadResult {
  readonly ok: boolean
  readonly diagnostics: Diagnostic[]
  /** Instance ids kept running with their state, started, and stopped. */
  readonly kept: string[]
  readonly started: string[]
  readonly stopped: string[]
}

export interface StopReport {
  /** Records still queued when Grace ran out (logged, not acknowledged). */
  readonly undelivered: number
}

export interface Agent {
  start(): Promise<void>
  stop(): Promise<StopReport>
  /** Fluent Bit's /api/v1/storage document when filesystem buffering is in use; undefined otherwise. */
  storageReport(): object | undefined
  /** Switches to a new config; refused (old pipeline untouched) when it has errors. */
  reload(config: LoadedConfig): Promise<ReloadResult>
  /** Reloads from `reloadSource` (SIGHUP, POST /api/v2/reload). */
  reloadFromSource(): Promise<ReloadResult>
  readonly metrics: MetricsRegistry
  /** Bound port of the monitoring API (HTTP_Port 0 picks one), when HTTP_Server is on. */
  readonly monitoringPort: number | undefined
  /** Ids of the running instances. */
  instances(): { inputs: string[]; filters: string[]; outputs: string[] }
  health(): { healthy: boolean; errors: number; retriesFailed: number }
  readonly hotReload: boolean
  readonly reloadCount: number
}

interface InputInstance {
  readonly plan: InputPlan
  readonly runtime: InputRuntime
  /** The context the plugin sees: the runtime's, or with filesystem buffering in front of emit. */
  readonly ctx: InputContext
  readonly store: InputStore | undefined
  readonly abort: AbortController
}
interface FilterInstance {
  readonly plan: FilterPlan
  readonly runtime: FilterRuntime
  readonly abort: AbortController
}
interface OutputInstance {
  readonly plan: OutputPlan
  readonly state: unknown
  readonly ctx: OutputContext
  readonly queue: OutputQueue
  readonly route: OutputRoute
  readonly abort: AbortController
}
interface Pipeline {
  plan: Plan
  inputs: InputInstance[]
  filters: FilterInstance[]
  outputs: OutputInstance[]
}

const LEVELS: Record<string, LogLevel> = {
  off: 'off',
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
}

const errMsg = (err: unknown) => (err instanceof Error ? err.message : String(err))

export function createAgent(config: LoadedConfig, opts: AgentOptions = {}): Agent {
  return new AgentImpl(config, opts)
}

/**
 * Plans and initialises every instance of a config without starting anything, then stops them:
 * the full set of problems `sluice agent` would refuse to start with.
 */
export async function checkAgentConfig(config: LoadedConfig, opts: AgentOptions = {}): Promise<Diagnostic[]> {
  const agent = new AgentImpl(config, opts)
  return agent.check()
}

class AgentImpl implements Agent {
  readonly metrics: MetricsRegistry
  private readonly opts: AgentOptions
  private readonly timing: Timing
  private write: (line: string) => void
  /** Stable indirection: loggers keep working when Log_File is opened or closed. */
  private readonly writeLine = (line: string) => this.write(line)
  private logFile: WriteStream | undefined
  private config: LoadedConfig
  private log: Logger
  private pipeline: Pipeline | undefined
  private readonly router: Router
  private health_: Health | undefined
  private monitoring: MonitoringServer | undefined
  private startedAt = 0
  private reloads = 0
  /** Filesystem buffering, when [SERVICE] storage.path is set (created at start, kept across reloads). */
  private storage: StorageManager | undefined
  private reloading: Promise<ReloadResult> | undefined
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new'

  constructor(config: LoadedConfig, opts: AgentOptions) {
    this.config = config
    this.opts = opts
    this.timing = resolveTiming(opts.timing)
    this.metrics = opts.metrics ?? createMetrics()
    this.write = opts.logWrite ?? ((line) => process.stderr.write(`${line}\n`))
    this.log = createLogger({ level: LEVELS[opts.logLevel ?? 'info'] ?? 'info', write: this.writeLine }, 'engine')
    this.router = new Router(this.log)
  }

  get monitoringPort(): number | undefined {
    return this.monitoring?.port
  }
  get hotReload(): boolean {
    return this.pipeline?.plan.service.hot_reload ?? false
  }
  get reloadCount(): number {
    return this.reloads
  }

  instances() {
    const p = this.pipeline
    return {
      inputs: p?.inputs.map((i) => i.plan.id) ?? [],
      filters: p?.filters.map((f) => f.plan.id) ?? [],
      outputs: p?.outputs.map((o) => o.plan.id) ?? [],
    }
  }

  health() {
    return this.health_?.status() ?? { healthy: true, errors: 0, retriesFailed: 0 }
  }

  private async plugins(): Promise<PluginSet> {
    if (this.opts.plugins) return this.opts.plugins
    // loaded lazily so that tests with injected plugins do not load every plugin
    const r = await import('./registry.ts')
    return { inputs: r.inputs, filters: r.filters, outputs: r.outputs }
  }

  private level(service: Plan['service'], instanceLevel?: string): LogLevel {
    return LEVELS[instanceLevel ?? this.opts.logLevel ?? service.log_level] ?? 'info'
  }

  private serviceSettings(plan: Plan): ServiceSettings {
    const s = plan.service
    return {
      flush: s.flush,
      grace: s.grace,
      storagePath: s['storage.path'],
      logLevel: this.opts.logLevel ?? s.log_level,
      multilineBufferLimit: s.multiline_buffer_limit,
    }
  }

  private queueSettings(plan: Plan): QueueSettings {
    return { flush: plan.service.flush, base: plan.service['scheduler.base'], cap: plan.service['scheduler.cap'] }
  }

  private baseContext(
    plan: Plan,
    id: string,
    scope: string,
    level: string | undefined,
    signal: AbortSignal,
  ): PluginContext {
    const config = plan.config
    const log = createLogger({ level: this.level(plan.service, level), write: this.writeLine }, scope)
    const resolve = (p: string) => (isAbsolute(p) ? p : resolvePath(config.baseDir, p))
    return {
      id,
      log,
      metrics: this.metrics,
      parsers: plan.parsers,
      multiline: plan.multiline,
      service: this.serviceSettings(plan),
      resolvePath: resolve,
      async readFile(path: string) {
        // a ConfigMap carries its files as data keys: `/fluent-bit/etc/x.lua` names key `x.lua`
        const v = config.virtualFiles.get(path) ?? config.virtualFiles.get(basename(path))
        if (v !== undefined) return v
        try {
          return await fsReadFile(resolve(path), 'utf8')
        } catch (err) {
          throw new Error(
            `cannot read ${path} (${resolve(path)}): ${(err as NodeJS.ErrnoException).code ?? errMsg(err)}`,
          )
        }
      },
      signal,
    }
  }

  private initError(p: { scope: string; section: { loc: { file: string; line: number } } }, err: unknown): Diagnostic {
    return {
      severity: 'error',
      message: `cannot initialize: ${errMsg(err)}`,
      file: p.section.loc.file,
      line: p.section.loc.line,
      instance: p.scope,
    }
  }

  private async initOutput(plan: Plan, p: OutputPlan): Promise<OutputInstance | Diagnostic> {
    const abort = new AbortController()
    const ctx = this.baseContext(plan, p.id, p.scope, p.common.log_level, abort.signal)
    let state: unknown
    try {
      state = await p.plugin.init(p.opts, ctx)
    } catch (err) {
      return this.initError(p, err)
    }
    const queue = new OutputQueue({
      id: p.id,
      plugin: p.plugin,
      state,
      ctx,
      log: ctx.log,
      series: outputSeries(this.metrics, p.id),
      timing: this.timing,
      retryLimit: p.retryLimit,
      workers: Math.max(1, p.common.workers),
      totalLimitBytes: p.common['storage.total_limit_size'],
      settings: this.queueSettings(plan),
      onError: () => this.health_?.error(),
      onRetryFailed: () => this.health_?.retryFailed(),
    })
    return { plan: p, state, ctx, queue, route: { id: p.id, match: p.match, queue }, abort }
  }

  private async initFilter(plan: Plan, p: FilterPlan): Promise<FilterInstance | Diagnostic> {
    const abort = new AbortController()
    const base = this.baseContext(plan, p.id, p.scope, p.common.log_level, abort.signal)
    let runtime: FilterRuntime | undefined
    const ctx: FilterContext = {
      ...base,
      emit: (tag, events, ack) => {
        // re-emission (rewrite_tag, multiline): same batch tracker; the filter retained it before
        if (!(ack instanceof Delivery) || !(ack.owner instanceof InputRuntime)) {
          base.log.error(`emit: the ack is not one the engine gave this filter; ${events.length} records not routed`)
          return
        }
        try {
          ack.owner.reemit(tag, events, ack, runtime)
        } finally {
          ack.release()
        }
      },
    }
    let state: unknown
    try {
      state = await p.plugin.init(p.opts, ctx)
    } catch (err) {
      return this.initError(p, err)
    }
    runtime = {
      id: p.id,
      plugin: p.plugin,
      state,
      ctx,
      match: p.match,
      series: filterSeries(this.metrics, p.id),
      log: base.log,
    }
    return { plan: p, runtime, abort }
  }

  private async initInput(plan: Plan, p: InputPlan): Promise<InputInstance | Diagnostic> {
    const abort = new AbortController()
    const base = this.baseContext(plan, p.id, p.scope, p.common.log_level, abort.signal)
    const runtime = new InputRuntime({
      id: p.id,
      plugin: p.plugin,
      // Fluent Bit's default tag is the instance name
      tag: p.common.tag ?? p.id,
      routable: p.common.routable,
      // with filesystem buffering, storage.max_chunks_up bounds memory instead (as in Fluent Bit)
      memBufLimit:
        this.storage !== undefined && p.common['storage.type'] === 'filesystem' ? undefined : p.common.mem_buf_limit,
      base,
      series: inputSeries(this.metrics, p.id),
      router: () => this.router,
    })
    let ctx: InputContext = runtime.ctx
    let store: InputStore | undefined
    if (this.storage !== undefined && p.common['storage.type'] === 'filesystem') {
      store = this.storage.store(
        p.id,
        (tag, events, ack) => runtime.emit(tag, events, ack),
        p.common['storage.pause_on_chunks_overlimit'],
        base.log,
      )
      ctx = storageContext(runtime, store)
    }
    try {
      runtime.state = await p.plugin.init(p.opts, ctx)
    } catch (err) {
      store?.close()
      return this.initError(p, err)
    }
    return { plan: p, runtime, ctx, store, abort }
  }

  /** Inits the given plans (outputs, filters, inputs). On any error, stops what was inited. */
  private async initAll(
    plan: Plan,
    outs: OutputPlan[],
    fils: FilterPlan[],
    ins: InputPlan[],
  ): Promise<{ outputs: OutputInstance[]; filters: FilterInstance[]; inputs: InputInstance[]; errors: Diagnostic[] }> {
    const errors: Diagnostic[] = []
    const outputs: OutputInstance[] = []
    const filters: FilterInstance[] = []
    const inputs: InputInstance[] = []
    const isDiag = (x: object): x is Diagnostic => 'severity' in x
    for (const p of outs) {
      const r = await this.initOutput(plan, p)
      if (isDiag(r)) errors.push(r)
      else outputs.push(r)
    }
    for (const p of fils) {
      const r = await this.initFilter(plan, p)
      if (isDiag(r)) errors.push(r)
      else filters.push(r)
    }
    for (const p of ins) {
      const r = await this.initInput(plan, p)
      if (isDiag(r)) errors.push(r)
      else inputs.push(r)
    }
    if (errors.length > 0) {
      await this.stopInstances(inputs, filters, outputs)
      return { outputs: [], filters: [], inputs: [], errors }
    }
    return { outputs, filters, inputs, errors }
  }

  private async stopInstances(inputs: InputInstance[], filters: FilterInstance[], outputs: OutputInstance[]) {
    for (const i of inputs) await this.stopInput(i)
    for (const f of filters) {
      f.abort.abort()
      await this.guard(f.runtime.log, 'stop', () => f.plan.plugin.stop?.(f.runtime.state))
    }
    for (const o of outputs) {
      o.abort.abort()
      await this.guard(o.ctx.log, 'stop', () => o.plan.plugin.stop?.(o.state))
    }
  }

  private async guard(log: Logger, what: string, fn: () => unknown): Promise<void> {
    try {
      await fn()
    } catch (err) {
      log.error(`cannot ${what}: ${errMsg(err)}`)
    }
  }

  private async stopInput(i: InputInstance): Promise<void> {
    i.abort.abort()
    if (i.runtime.started || i.runtime.state !== undefined)
      await this.guard(i.runtime.ctx.log, 'stop', () => i.plan.plugin.stop?.(i.runtime.state))
    i.runtime.started = false
    i.runtime.releaseWaiters()
    // what is not delivered stays in its sealed chunks and is replayed on the next start
    i.store?.close()
  }

  async check(): Promise<Diagnostic[]> {
    const plan = planPipeline(this.config, await this.plugins())
    if (hasErrors(plan.diagnostics)) return plan.diagnostics
    const r = await this.initAll(plan, plan.outputs, plan.filters, plan.inputs)
    await this.stopInstances(r.inputs, r.filters, r.outputs)
    return [...plan.diagnostics, ...r.errors]
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot start the agent: it is ${this.state}`)
    this.state = 'starting'
    const plan = planPipeline(this.config, await this.plugins())
    const logFile = plan.service.log_file
    if (logFile !== undefined && this.opts.logWrite === undefined && !hasErrors(plan.diagnostics)) {
      // [SERVICE] Log_File: the agent's log goes to this file (appended) instead of stderr
      const path = isAbsolute(logFile) ? logFile : resolvePath(this.config.baseDir, logFile)
      const stream = createWriteStream(path, { flags: 'a' })
      stream.on('error', (err) => process.stderr.write(`cannot write log file ${path}: ${err.message}\n`))
      this.logFile = stream
      this.write = (line) => stream.write(`${line}\n`)
    }
    this.log = createLogger({ level: this.level(plan.service), write: this.writeLine }, 'engine')
    for (const d of plan.diagnostics) if (d.severity === 'warning') this.log.warn(formatDiagnostic(d))
    if (hasErrors(plan.diagnostics)) {
      this.state = 'stopped'
      throw new AgentConfigError(`cannot start the agent with ${this.config.entry}`, plan.diagnostics)
    }
    this.storage = this.createStorage(plan)
    const inited = await this.initAll(plan, plan.outputs, plan.filters, plan.inputs)
    if (inited.errors.length > 0) {
      this.state = 'stopped'
      this.storage?.close()
      this.storage = undefined
      await this.closeLog()
      throw new AgentConfigError(`cannot start the agent with ${this.config.entry}`, [
        ...plan.diagnostics,
        ...inited.errors,
      ])
    }
    this.health_ = new Health(healthSettings(plan), this.timing.now)
    this.pipeline = { plan, inputs: inited.inputs, filters: inited.filters, outputs: inited.outputs }
    this.router.set(
      inited.filters.map((f) => f.runtime),
      inited.outputs.map((o) => o.route),
    )
    this.storage?.setOutputs(inited.outputs.map((o) => limitedOutput(o, this.metrics)))
    for (const o of inited.outputs) o.queue.start()
    // chunks left on disk by the previous run go first, routed again by their tag
    this.storage?.loadBacklog()
    this.startedAt = this.timing.now()
    for (const i of inited.inputs) {
      try {
        await i.plan.plugin.start(i.runtime.state, i.ctx)
        i.runtime.started = true
      } catch (err) {
        const msg = `cannot start ${i.plan.scope}: ${errMsg(err)}`
        this.log.error(msg)
        await this.shutdown()
        this.state = 'stopped'
        throw new Error(msg)
      }
    }
    if (plan.service.http_server) {
      try {
        this.monitoring = await startMonitoring(this.monitoringSource(), {
          listen: plan.service.http_listen,
          port: plan.service.http_port,
        })
        this.log.info(`monitoring API on http://${plan.service.http_listen}:${this.monitoring.port}`)
      } catch (err) {
        const msg = `cannot start the monitoring API on ${plan.service.http_listen}:${plan.service.http_port}: ${errMsg(err)}`
        this.log.error(msg)
        await this.shutdown()
        this.state = 'stopped'
        throw new Error(msg)
      }
    }
    this.state = 'running'
    this.log.info(
      `started: ${inited.inputs.length} input(s), ${inited.filters.length} filter(s), ${inited.outputs.length} output(s)`,
    )
  }

  async stop(): Promise<StopReport> {
    if (this.state === 'stopped' || this.state === 'new') {
      this.state = 'stopped'
      return { undelivered: 0 }
    }
    if (this.state === 'stopping') throw new Error('cannot stop the agent: already stopping')
    this.state = 'stopping'
    if (this.reloading) await this.reloading.catch(() => undefined)
    const report = await this.shutdown()
    this.state = 'stopped'
    return report
  }

  private async shutdown(): Promise<StopReport> {
    const p = this.pipeline
    if (!p) return { undelivered: 0 }
    const grace = p.plan.service.grace
    this.log.info(`shutting down: draining for up to ${grace}s (Grace)`)
    for (const i of p.inputs) await this.stopInput(i)
    for (const f of p.filters)
      await this.guard(f.runtime.log, 'flush', () => f.plan.plugin.flush?.(f.runtime.state, f.runtime.ctx))
    for (const o of p.outputs) o.queue.drain()
    const idle = Promise.all(p.outputs.map((o) => o.queue.whenIdle()))
    const graceOver = Symbol('grace')
    const d = deadline(this.timing, scaledMs(this.timing, grace))
    const r = await Promise.race([idle, d.reached.then(() => graceOver)])
    d.cancel()
    let undelivered = 0
    for (const o of p.outputs)
      undelivered += o.queue.abandon(r === graceOver ? `Grace (${grace}s) expired` : 'shutdown')
    if (undelivered > 0)
      this.log.warn(
        `${undelivered} records left undelivered at shutdown (Grace ${grace}s expired); not acknowledged, so inputs that track delivery read them again`,
      )
    for (const f of p.filters) {
      f.abort.abort()
      await this.guard(f.runtime.log, 'stop', () => f.plan.plugin.stop?.(f.runtime.state))
    }
    for (const o of p.outputs) {
      o.abort.abort()
      await this.guard(o.ctx.log, 'stop', () => o.plan.plugin.stop?.(o.state))
    }
    if (this.monitoring) {
      await this.monitoring.close()
      this.monitoring = undefined
    }
    this.storage?.close()
    this.storage = undefined
    this.pipeline = undefined
    this.log.info('stopped')
    await this.closeLog()
    return { undelivered }
  }

  private async closeLog(): Promise<void> {
    const lf = this.logFile
    if (!lf) return
    this.logFile = undefined
    // late lines (acks arriving after stop) go to stderr rather than to a closed file
    this.write = this.opts.logWrite ?? ((line) => process.stderr.write(`${line}\n`))
    await new Promise<void>((done) => lf.end(done))
  }

  reloadFromSource(): Promise<ReloadResult> {
    const src = this.opts.reloadSource
    if (!src)
      return Promise.resolve(refused([{ severity: 'error', message: 'cannot reload: the agent has no config source' }]))
    return src().then(
      (cfg) => this.reload(cfg),
      (err) => refused([{ severity: 'error', message: `cannot reload: ${errMsg(err)}` }]),
    )
  }

  reload(config: LoadedConfig): Promise<ReloadResult> {
    if (this.state !== 'running')
      return Promise.resolve(refused([{ severity: 'error', message: `cannot reload: the agent is ${this.state}` }]))
    if (this.reloading)
      return Promise.resolve(refused([{ severity: 'error', message: 'cannot reload: a reload is in progress' }]))
    this.reloading = this.doReload(config).finally(() => {
      this.reloading = undefined
    })
    return this.reloading
  }

  private async doReload(config: LoadedConfig): Promise<ReloadResult> {
    const old = this.pipeline!
    const plan = planPipeline(config, await this.plugins())
    if (hasErrors(plan.diagnostics)) {
      this.log.error(`reload refused, the running pipeline is unchanged:`)
      for (const d of plan.diagnostics) if (d.severity === 'error') this.log.error(formatDiagnostic(d))
      return refused(plan.diagnostics)
    }
    const keepOut = new Map(old.outputs.map((o) => [o.plan.fingerprint, o]))
    const keepFil = new Map(old.filters.map((f) => [f.plan.fingerprint, f]))
    const keepIn = new Map(old.inputs.map((i) => [i.plan.fingerprint, i]))
    const inited = await this.initAll(
      plan,
      plan.outputs.filter((p) => !keepOut.has(p.fingerprint)),
      plan.filters.filter((p) => !keepFil.has(p.fingerprint)),
      plan.inputs.filter((p) => !keepIn.has(p.fingerprint)),
    )
    if (inited.errors.length > 0) {
      this.log.error(`reload refused, the running pipeline is unchanged:`)
      for (const d of inited.errors) this.log.error(formatDiagnostic(d))
      return refused([...plan.diagnostics, ...inited.errors])
    }
    const pick = <T extends { plan: { fingerprint: string } }>(
      plans: { fingerprint: string }[],
      kept: Map<string, T>,
      fresh: T[],
    ) => {
      const byPrint = new Map(fresh.map((x) => [x.plan.fingerprint, x]))
      return plans.map((p) => kept.get(p.fingerprint) ?? byPrint.get(p.fingerprint)!)
    }
    const outputs = pick(plan.outputs, keepOut, inited.outputs)
    const filters = pick(plan.filters, keepFil, inited.filters)
    const inputs = pick(plan.inputs, keepIn, inited.inputs)
    const newPrints = new Set([...plan.outputs, ...plan.filters, ...plan.inputs].map((p) => p.fingerprint))
    const goneIn = old.inputs.filter((i) => !newPrints.has(i.plan.fingerprint))
    const goneFil = old.filters.filter((f) => !newPrints.has(f.plan.fingerprint))
    const goneOut = old.outputs.filter((o) => !newPrints.has(o.plan.fingerprint))

    // 1. stop removed inputs; flush removed filters while the old routes still include them
    for (const i of goneIn) await this.stopInput(i)
    for (const f of goneFil)
      await this.guard(f.runtime.log, 'flush', () => f.plan.plugin.flush?.(f.runtime.state, f.runtime.ctx))
    // 2. switch routes: new records go to the new pipeline at once
    this.pipeline = { plan, inputs, filters, outputs }
    this.router.set(
      filters.map((f) => f.runtime),
      outputs.map((o) => o.route),
    )
    this.storage?.setOutputs(outputs.map((o) => limitedOutput(o, this.metrics)))
    const qs = this.queueSettings(plan)
    for (const o of outputs) o.queue.updateSettings(qs)
    this.health_?.update(healthSettings(plan))
    for (const o of inited.outputs) o.queue.start()
    // 3. removed filters stop; removed outputs drain in the background within Grace
    for (const f of goneFil) {
      f.abort.abort()
      await this.guard(f.runtime.log, 'stop', () => f.plan.plugin.stop?.(f.runtime.state))
    }
    for (const o of goneOut) void this.retireOutput(o, plan.service.grace)
    // 4. start new inputs
    const started: string[] = []
    for (const i of inited.inputs) {
      try {
        await i.plan.plugin.start(i.runtime.state, i.ctx)
        i.runtime.started = true
        started.push(i.plan.id)
      } catch (err) {
        this.log.error(`reload: cannot start ${i.plan.scope}: ${errMsg(err)}`)
      }
    }
    started.push(...inited.filters.map((f) => f.plan.id), ...inited.outputs.map((o) => o.plan.id))
    this.reloads++
    const oldPrints = new Set([...keepIn.keys(), ...keepFil.keys(), ...keepOut.keys()])
    const kept = [...inputs, ...filters, ...outputs]
      .filter((x) => oldPrints.has(x.plan.fingerprint))
      .map((x) => x.plan.id)
    const stopped = [...goneIn, ...goneFil, ...goneOut].map((x) => x.plan.id)
    this.log.info(`reloaded ${config.entry}: kept ${kept.length}, started ${started.length}, stopped ${stopped.length}`)
    return { ok: true, diagnostics: plan.diagnostics, kept, started, stopped }
  }

  private async retireOutput(o: OutputInstance, grace: number): Promise<void> {
    o.queue.drain()
    const graceOver = Symbol('grace')
    const d = deadline(this.timing, scaledMs(this.timing, grace))
    const r = await Promise.race([o.queue.whenIdle(), d.reached.then(() => graceOver)])
    d.cancel()
    if (r === graceOver) o.queue.rejectAll(`output removed by reload; not delivered within Grace (${grace}s)`)
    o.abort.abort()
    await this.guard(o.ctx.log, 'stop', () => o.plan.plugin.stop?.(o.state))
  }

  private createStorage(plan: Plan): StorageManager | undefined {
    const s = plan.service
    const path = s['storage.path']
    if (path === undefined || !plan.inputs.some((i) => i.common['storage.type'] === 'filesystem')) return undefined
    return new StorageManager(
      {
        path: isAbsolute(path) ? path : resolvePath(this.config.baseDir, path),
        sync: s['storage.sync'] === 'full' ? 'full' : 'normal',
        checksum: s['storage.checksum'],
        maxChunksUp: Math.max(1, s['storage.max_chunks_up']),
        backlogMemLimit: s['storage.backlog.mem_limit'],
        deleteIrrecoverable: s['storage.delete_irrecoverable_chunks'],
        metrics: s['storage.metrics'],
        flush: s.flush,
      },
      createLogger({ level: this.level(s), write: this.writeLine }, 'storage'),
      this.metrics,
      this.timing,
    )
  }

  /** Fluent Bit's /api/v1/storage document (chunks up/down per input), when storage is in use. */
  storageReport(): object | undefined {
    return this.storage?.report()
  }

  private monitoringSource() {
    const host = hostname()
    const buildInfo = this.metrics.gauge('fluentbit_build_info', 'Build version information.')
    buildInfo.set({ hostname: host, version: SLUICE_VERSION, os: process.platform }, Math.floor(this.startedAt / 1000))
    const uptime = this.metrics.gauge('fluentbit_uptime', 'Number of seconds that Fluent Bit has been running.')
    this.metrics
      .gauge('fluentbit_process_start_time_seconds', 'Seconds since the epoch when the process started.')
      .set({ hostname: host }, Math.floor(this.startedAt / 1000))
    const reloaded = this.metrics.gauge('fluentbit_hot_reloaded_times', 'Number of hot reloads.')
    return {
      metrics: this.metrics,
      version: SLUICE_VERSION,
      hostname: host,
      uptimeSec: () => {
        const s = Math.floor((this.timing.now() - this.startedAt) / 1000)
        uptime.set({ hostname: host }, s)
        reloaded.set({ hostname: host }, this.reloads)
        return s
      },
      instances: () => this.instances(),
      health: () => ({ ...this.health(), enabled: this.pipeline?.plan.service.health_check ?? false }),
      hotReload: () => this.hotReload,
      reload: () => this.reloadFromSource(),
      reloadCount: () => this.reloads,
      // Fluent Bit's /api/v1/storage (storage.metrics on): for the monitoring server to serve
      storage: () => (this.pipeline?.plan.service['storage.metrics'] ? this.storageReport() : undefined),
    }
  }
}

function healthSettings(plan: Plan) {
  const s = plan.service
  return {
    enabled: s.health_check,
    errorsCount: s.hc_errors_count,
    retryFailureCount: s.hc_retry_failure_count,
    period: s.hc_period,
  }
}

function refused(diagnostics: Diagnostic[]): ReloadResult {
  return { ok: false, diagnostics, kept: [], started: [], stopped: [] }
}

function limitedOutput(o: OutputInstance, metrics: MetricsRegistry): LimitedOutput {
  return {
    id: o.plan.id,
    match: o.plan.match,
    limit: o.plan.common['storage.total_limit_size'],
    queuedBytes: () => o.queue.queuedBytesNow,
    dropped: outputSeries(metrics, o.plan.id).dropped,
    log: o.ctx.log,
  }
}

/** The input's context with filesystem buffering in front of emit, and its pauses added. */
function storageContext(runtime: InputRuntime, store: InputStore): InputContext {
  const base = runtime.ctx
  return {
    ...base,
    emit: (tag, events, ack) => store.emit(tag, events, ack),
    get paused() {
      return runtime.paused || store.paused
    },
    async whenResumed() {
      while (runtime.paused || store.paused) {
        if (runtime.paused) await runtime.whenResumed()
        else await store.whenResumed()
        if (base.signal.aborted) return
      }
    },
  }
}
