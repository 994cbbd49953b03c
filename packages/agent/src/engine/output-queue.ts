// One output's queue: records arrive per tag, are gathered into chunks (sealed every `Flush`
// seconds, or at once when a chunk reaches ~2 MB), and are flushed by up to `Workers` concurrent
// calls of the plugin's flush. The result of each flush decides what happens to the chunk:
//
//   ok      → delivered: every batch in it is released
//   retry   → try again after a full-jitter backoff, until Retry_Limit; then rejected for good
//   error   → rejected for good (retrying cannot help)
//   partial → the delivered records are released, the rejected ones are released as rejected,
//             and only the `retry` subset is queued again
//
// A thrown error counts as `retry`. Every record rejected for good is counted
// (fluentbit_output_dropped_records_total) and logged with the output, tag, count and reason.
// On shutdown the queue is drained within Grace; what is left is logged, not acknowledged (so an
// input that commits offsets on acknowledgement reads it again on the next start).

import type { Logger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { AnyOutputPlugin, FlushResult, OutputContext } from '../plugin.ts'
import { backoffSeconds } from './backoff.ts'
import type { Delivery } from './delivery.ts'
import type { OutputSeries } from './metric-names.ts'
import { scaledMs, type Timing } from './timing.ts'

/** A chunk is sealed once its records reach this many (estimated) bytes, as Fluent Bit's ~2 MB chunks. */
export const CHUNK_LIMIT_BYTES = 2 * 1024 * 1024

/** A run of consecutive records of a chunk that belong to one emitted batch. */
interface Segment {
  readonly delivery: Delivery
  count: number
}

interface Chunk {
  readonly tag: string
  readonly events: LogEvent[]
  bytes: number
  readonly segments: Segment[]
  /** Flush attempts that failed so far. */
  failures: number
  lastReason: string
}

export interface QueueSettings {
  /** Seconds between flushes (service Flush). */
  flush: number
  /** scheduler.base / scheduler.cap, seconds. */
  base: number
  cap: number
}

export interface OutputQueueOptions {
  readonly id: string
  readonly plugin: AnyOutputPlugin
  readonly state: unknown
  readonly ctx: OutputContext
  readonly log: Logger
  readonly series: OutputSeries
  readonly timing: Timing
  /** Retries per chunk after the first attempt: 0 (no_retries) … Infinity (no_limits). */
  readonly retryLimit: number
  readonly workers: number
  /**
   * storage.total_limit_size: cap of the bytes queued for this output (not counting flushes in
   * flight). Beyond it the oldest chunks are rejected for good, counted and logged.
   */
  readonly totalLimitBytes?: number
  settings: QueueSettings
  /** Health accounting (HC_Errors_Count, HC_Retry_Failure_Count). */
  readonly onError?: () => void
  readonly onRetryFailed?: () => void
}

export class OutputQueue {
  readonly id: string
  private readonly o: OutputQueueOptions
  /** Chunk being filled, per tag. */
  private readonly open = new Map<string, Chunk>()
  /** Sealed chunks waiting for a worker, oldest first. */
  private readonly ready: Chunk[] = []
  /** Chunks waiting for their retry time. */
  private readonly waiting = new Map<Chunk, unknown>()
  private inflight = 0
  /** Estimated bytes in open, ready and waiting chunks. */
  private queuedBytes = 0
  private flushTimer: unknown = undefined
  private idleWaiters: (() => void)[] = []
  /** Set when shutting down: no more retries are scheduled after this. */
  private stopRetrying = false
  private closed = false

  constructor(o: OutputQueueOptions) {
    this.id = o.id
    this.o = o
  }

  /** Starts the periodic flush. */
  start(): void {
    this.scheduleFlush()
  }

  /** Applies new service settings (reload); takes effect at the next tick. */
  updateSettings(settings: QueueSettings): void {
    this.o.settings = settings
  }

  private scheduleFlush(): void {
    if (this.closed) return
    this.flushTimer = this.o.timing.setTimeout(
      () => {
        this.flushTimer = undefined
        this.sealAll()
        this.scheduleFlush()
      },
      scaledMs(this.o.timing, this.o.settings.flush),
    )
  }

  /**
   * Queues records of one batch for this output. The batch is retained until the records are
   * delivered or rejected for good.
   */
  // fast path: appends to the open chunk of the tag; no per-record work besides the push
  append(tag: string, events: readonly LogEvent[], delivery: Delivery): void {
    let c = this.open.get(tag)
    if (c === undefined) {
      c = { tag, events: [], bytes: 0, segments: [], failures: 0, lastReason: '' }
      this.open.set(tag, c)
    }
    const n = events.length
    for (let i = 0; i < n; i++) c.events.push(events[i]!)
    const bytes = delivery.recordBytes * n
    c.bytes += bytes
    this.queuedBytes += bytes
    const last = c.segments[c.segments.length - 1]
    if (last !== undefined && last.delivery === delivery) last.count += n
    else {
      delivery.retain()
      c.segments.push({ delivery, count: n })
    }
    if (c.bytes >= CHUNK_LIMIT_BYTES) {
      this.open.delete(tag)
      this.ready.push(c)
      this.dispatch()
    }
    const limit = this.o.totalLimitBytes
    if (limit !== undefined && this.queuedBytes > limit) this.enforceLimit(limit)
  }

  /** Drops the oldest chunks until the queue fits storage.total_limit_size again. */
  private enforceLimit(limit: number): void {
    while (this.queuedBytes > limit) {
      let c: Chunk | undefined = this.ready.shift()
      if (c === undefined) {
        const w = this.waiting.entries().next()
        if (!w.done) {
          c = w.value[0]
          this.o.timing.clearTimeout(w.value[1])
          this.waiting.delete(c)
        }
      }
      if (c === undefined) {
        const o = this.open.entries().next()
        if (o.done) break
        c = o.value[1]
        this.open.delete(o.value[0])
      }
      this.queuedBytes -= c.bytes
      this.reject(c, `storage.total_limit_size (${limit} bytes) reached: oldest queued records dropped`)
    }
    if (this.queuedBytes < 1e-6) this.queuedBytes = 0
  }

  /** Seals every open chunk and starts flushing them (the Flush tick, shutdown, reload). */
  sealAll(): void {
    if (this.open.size === 0) return
    for (const c of this.open.values()) this.ready.push(c)
    this.open.clear()
    this.dispatch()
  }

  private dispatch(): void {
    while (this.inflight < this.o.workers && this.ready.length > 0) {
      const c = this.ready.shift()!
      this.queuedBytes -= c.bytes
      this.inflight++
      void this.run(c)
    }
    this.checkIdle()
  }

  private async run(c: Chunk): Promise<void> {
    let result: FlushResult
    try {
      result = await this.o.plugin.flush(c.events, c.tag, this.o.state, this.o.ctx)
      if (result === null || typeof result !== 'object' || typeof result.kind !== 'string')
        result = { kind: 'retry', reason: `output returned no flush result (${String(result)})` }
    } catch (err) {
      result = { kind: 'retry', reason: (err as Error)?.message ?? String(err) }
    }
    this.inflight--
    try {
      this.settle(c, result)
    } catch (err) {
      // a bug here must not wedge the queue: log it loudly; the chunk stays unacknowledged
      this.o.log.error(`cannot settle flush of ${c.events.length} records (tag ${c.tag}): ${(err as Error)?.stack}`)
    }
    this.dispatch()
  }

  private settle(c: Chunk, r: FlushResult): void {
    const s = this.o.series
    const n = c.events.length
    switch (r.kind) {
      case 'ok':
        s.procRecords.inc(n)
        s.procBytes.inc(Math.round(c.bytes))
        this.release(c.segments, 0)
        return
      case 'retry':
        this.failed(c, r.reason, r.retryAfterMs)
        return
      case 'error':
        s.errors.inc()
        this.o.onError?.()
        this.reject(c, `cannot deliver: ${r.reason}`)
        return
      case 'partial':
        this.partial(c, r)
        return
      default:
        this.failed(c, `unknown flush result kind '${(r as { kind: string }).kind}'`)
    }
  }

  /** A whole chunk failed with a retryable reason: schedule it again, or give it up. */
  private failed(c: Chunk, reason: string, retryAfterMs?: number): void {
    this.o.series.errors.inc()
    this.o.onError?.()
    this.retryOrGiveUp(c, reason, retryAfterMs)
  }

  /** Schedules another attempt after the backoff, or rejects the chunk when Retry_Limit is reached. */
  private retryOrGiveUp(c: Chunk, reason: string, retryAfterMs?: number): void {
    const s = this.o.series
    c.lastReason = reason
    if (c.failures >= this.o.retryLimit || this.stopRetrying) {
      s.retriesFailed.inc()
      this.o.onRetryFailed?.()
      const why = this.stopRetrying
        ? `retries stopped by shutdown after ${c.failures + 1} attempt(s)`
        : this.o.retryLimit === 0
          ? 'retries disabled (Retry_Limit no_retries)'
          : `retries exhausted after ${c.failures + 1} attempts (Retry_Limit ${this.o.retryLimit})`
      this.reject(c, `${why}; last error: ${reason}`)
      return
    }
    const delaySec = backoffSeconds(
      c.failures,
      this.o.settings,
      this.o.timing.random,
      retryAfterMs === undefined ? undefined : retryAfterMs / 1000,
    )
    c.failures++
    s.retries.inc()
    s.retried.inc(c.events.length)
    this.queuedBytes += c.bytes
    this.o.log.warn(
      `cannot flush ${c.events.length} records (tag ${c.tag}): ${reason}; retry ${c.failures} in ${delaySec.toFixed(1)}s`,
    )
    const t = this.o.timing.setTimeout(
      () => {
        this.waiting.delete(c)
        this.ready.push(c)
        this.dispatch()
      },
      scaledMs(this.o.timing, delaySec),
    )
    this.waiting.set(c, t)
  }

  /** Rejects a whole chunk for good: counted, logged once, released as rejected. */
  private reject(c: Chunk, reason: string): void {
    this.o.series.dropped.inc(c.events.length)
    this.o.log.error(`dropped ${c.events.length} records (tag ${c.tag}): ${reason}`)
    this.release(c.segments, -1)
  }

  /** Releases segments: `rejected` -1 means all their records were rejected. */
  private release(segments: readonly Segment[], rejected: 0 | -1): void {
    for (const seg of segments) seg.delivery.release(rejected === -1 ? seg.count : 0)
  }

  private partial(c: Chunk, r: Extract<FlushResult, { kind: 'partial' }>): void {
    const s = this.o.series
    const retryN = r.retry.length
    const rejectedN = r.rejected.length
    const delivered = Math.max(0, c.events.length - retryN - rejectedN)
    s.procRecords.inc(delivered)
    s.procBytes.inc(Math.round((c.bytes / Math.max(1, c.events.length)) * delivered))
    s.errors.inc()
    this.o.onError?.()
    if (rejectedN > 0) {
      s.dropped.inc(rejectedN)
      this.o.log.error(
        `rejected ${rejectedN} of ${c.events.length} records (tag ${c.tag}): ${r.rejected[0]!.reason}` +
          (rejectedN > 1 ? ` (and ${rejectedN - 1} more; first reason shown)` : ''),
      )
    }
    // Attribute rejected and retried records to their batches. Only this rare path pays for a map
    // from record to segment; a chunk of one batch needs none.
    const segOf = this.segmentIndex(c)
    const rejectedPer = new Array<number>(c.segments.length).fill(0)
    for (const rej of r.rejected) rejectedPer[segOf(rej.event)]++
    const retryPer: LogEvent[][] = c.segments.map(() => [])
    for (const e of r.retry) retryPer[segOf(e)]!.push(e)

    if (retryN > 0) {
      const next: Chunk = {
        tag: c.tag,
        events: [],
        bytes: 0,
        segments: [],
        failures: c.failures,
        lastReason: r.reason,
      }
      for (let i = 0; i < c.segments.length; i++) {
        const evs = retryPer[i]!
        if (evs.length === 0) continue
        const d = c.segments[i]!.delivery
        d.retain()
        next.segments.push({ delivery: d, count: evs.length })
        for (const e of evs) next.events.push(e)
        next.bytes += d.recordBytes * evs.length
      }
      // the retry subset follows the chunk's retry schedule (errors_total was counted above)
      this.retryOrGiveUp(next, r.reason, r.retryAfterMs)
    }
    for (let i = 0; i < c.segments.length; i++) c.segments[i]!.delivery.release(rejectedPer[i]!)
  }

  private segmentIndex(c: Chunk): (e: LogEvent) => number {
    if (c.segments.length === 1) return () => 0
    const map = new Map<LogEvent, number>()
    let pos = 0
    for (let i = 0; i < c.segments.length; i++) {
      const end = pos + c.segments[i]!.count
      for (; pos < end; pos++) map.set(c.events[pos]!, i)
    }
    // records the plugin returned as copies cannot be attributed: charge them to the first batch
    return (e) => map.get(e) ?? 0
  }

  /** Estimated bytes queued (open, ready, in retry wait): storage.total_limit_size with filesystem chunks. */
  get queuedBytesNow(): number {
    return this.queuedBytes
  }

  /** Records queued (open, ready, in retry wait); in-flight flushes not included. */
  pendingRecords(): number {
    let n = 0
    for (const c of this.open.values()) n += c.events.length
    for (const c of this.ready) n += c.events.length
    for (const c of this.waiting.keys()) n += c.events.length
    return n
  }

  get busy(): boolean {
    return this.inflight > 0 || this.open.size > 0 || this.ready.length > 0 || this.waiting.size > 0
  }

  private checkIdle(): void {
    if (this.busy || this.idleWaiters.length === 0) return
    const ws = this.idleWaiters
    this.idleWaiters = []
    for (const w of ws) w()
  }

  /** Resolves when nothing is queued, waiting or in flight. */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Shutdown phase 1: seal everything and flush now; retries continue within the grace period. */
  drain(): void {
    this.sealAll()
  }

  /**
   * Shutdown phase 2 (Grace expired): no more retries; what is still queued is logged as left
   * undelivered and is NOT acknowledged. Returns the number of records left.
   */
  abandon(reason: string): number {
    this.stopRetrying = true
    this.closed = true
    if (this.flushTimer !== undefined) this.o.timing.clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    const byTag = new Map<string, { n: number; last: string }>()
    const count = (c: Chunk) => {
      const e = byTag.get(c.tag) ?? { n: 0, last: '' }
      e.n += c.events.length
      if (c.lastReason) e.last = c.lastReason
      byTag.set(c.tag, e)
    }
    for (const c of this.open.values()) count(c)
    for (const c of this.ready) count(c)
    for (const [c, t] of this.waiting) {
      this.o.timing.clearTimeout(t)
      count(c)
    }
    this.open.clear()
    this.ready.length = 0
    this.waiting.clear()
    this.queuedBytes = 0
    let total = 0
    for (const [tag, e] of byTag) {
      total += e.n
      this.o.log.warn(
        `left ${e.n} records (tag ${tag}) undelivered: ${reason}${e.last ? `; last error: ${e.last}` : ''}`,
      )
    }
    if (this.inflight > 0)
      this.o.log.warn(`${this.inflight} flush(es) still in flight at shutdown; their records may be sent again`)
    this.checkIdle()
    return total
  }

  /**
   * Reload removed this output and its drain time ran out: the records still queued are rejected
   * for good (counted, logged), so that their inputs are acknowledged and not paused forever.
   */
  rejectAll(reason: string): void {
    this.stopRetrying = true
    this.closed = true
    if (this.flushTimer !== undefined) this.o.timing.clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    const chunks = [...this.open.values(), ...this.ready, ...this.waiting.keys()]
    for (const t of this.waiting.values()) this.o.timing.clearTimeout(t)
    this.open.clear()
    this.ready.length = 0
    this.waiting.clear()
    this.queuedBytes = 0
    for (const c of chunks) this.reject(c, reason)
    this.checkIdle()
  }
}
