// An input instance at run time: its context (emit, paused, whenResumed), and its Mem_Buf_Limit
// accounting. The bytes of every emitted batch count against the input until the batch is delivered
// (or rejected for good) by all its outputs; above the limit the input is paused (Fluent Bit logs
// "paused (mem buf overlimit)"), and resumed once deliveries bring it back under. An input that
// honours `paused`/`whenResumed` (or its pause/resume callbacks) therefore keeps memory bounded
// while an output is slow or down.

import type { Logger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { AckCallback, AnyInputPlugin, InputContext, PluginContext } from '../plugin.ts'
import { Delivery, type DeliveryOwner } from './delivery.ts'
import { estimateBytes } from './estimate.ts'
import type { InputSeries } from './metric-names.ts'
import type { Router, Source } from './router.ts'

/**
 * Undelivered record bytes an input without Mem_Buf_Limit may have in flight before it waits. Small on
 * purpose: reaching it flushes the outputs at once (Router.flushNow), so it bounds memory without
 * bounding throughput (measured on the full benchmark pipeline, see docs/agent.md).
 */
export const DEFAULT_IN_FLIGHT_BYTES = 2 * 1024 * 1024

export interface InputRuntimeOptions {
  readonly id: string
  readonly plugin: AnyInputPlugin
  readonly tag: string
  readonly routable: boolean
  /** Mem_Buf_Limit in bytes; undefined = no limit. */
  readonly memBufLimit: number | undefined
  readonly base: PluginContext
  readonly series: InputSeries
  readonly router: () => Router
}

export class InputRuntime implements DeliveryOwner, Source {
  readonly id: string
  readonly plugin: AnyInputPlugin
  readonly series: InputSeries
  readonly routable: boolean
  readonly ctx: InputContext
  state: unknown = undefined
  started = false
  private readonly o: InputRuntimeOptions
  private readonly log: Logger
  private buffered = 0
  private isPaused = false
  /** The current pause comes from the default in-flight bound, not from Mem_Buf_Limit. */
  private quietPause = false
  private resumeWaiters: (() => void)[] = []

  constructor(o: InputRuntimeOptions) {
    this.o = o
    this.id = o.id
    this.plugin = o.plugin
    this.series = o.series
    this.routable = o.routable
    this.log = o.base.log
    const self = this
    this.ctx = {
      ...o.base,
      tag: o.tag,
      emit: (tag, events, ack) => self.emit(tag, events, ack),
      get paused() {
        return self.isPaused
      },
      whenResumed: () => self.whenResumed(),
    }
  }

  /** Estimated bytes of this input's records not yet delivered. */
  get bufferedBytes(): number {
    return this.buffered
  }

  get paused(): boolean {
    return this.isPaused
  }

  // fast path: one size estimate and a few counter additions per batch
  emit(tag: string, events: LogEvent[], ack?: AckCallback): void {
    const n = events.length
    if (n === 0) {
      ack?.({ delivered: 0, rejected: 0 })
      return
    }
    const bytes = estimateBytes(events)
    this.series.records.inc(n)
    this.series.bytes.inc(bytes)
    this.buffered += bytes
    this.series.buffered.set(this.buffered)
    const d = new Delivery(n, bytes, this, ack)
    try {
      this.o.router().route(this, tag, events, d)
    } finally {
      d.release()
    }
    this.checkLimit()
  }

  /** Re-emission from a filter (rewrite_tag, multiline): same batch tracker, skips that filter. */
  reemit(tag: string, events: LogEvent[], d: Delivery, from: Parameters<Router['route']>[4]): void {
    this.o.router().route(this, tag, events, d, from)
  }

  delivered(d: Delivery): void {
    this.buffered -= d.bytes
    if (this.buffered < 1e-6) this.buffered = 0
    this.series.buffered.set(this.buffered)
    if (this.isPaused && this.buffered < this.limit()) this.resume()
  }

  /**
   * Mem_Buf_Limit, or Sluice's default in-flight bound when none is set: Fluent Bit lets an input
   * without Mem_Buf_Limit run arbitrarily far ahead of slow outputs (memory grows without end); Sluice
   * waits at DEFAULT_IN_FLIGHT_BYTES of undelivered records instead (measured: full pipeline RSS
   * 700 → 529 MB, ~5% less CPU). Only inputs that honour `paused` wait; nothing is dropped.
   */
  private limit(): number {
    return this.o.memBufLimit ?? DEFAULT_IN_FLIGHT_BYTES
  }

  fault(message: string): void {
    this.log.error(message)
  }

  private checkLimit(): void {
    if (this.isPaused || this.buffered < this.limit()) return
    this.isPaused = true
    this.quietPause = this.o.memBufLimit === undefined
    if (this.quietPause) {
      // the default bound is flow control, not an overlimit: no Fluent Bit pause metrics or info line
      this.series.waits.inc()
      this.log.debug(
        `waiting for outputs (${DEFAULT_IN_FLIGHT_BYTES} bytes in flight, the default bound without Mem_Buf_Limit)`,
      )
      // Flush what is queued now rather than at the next Flush tick. Only for the default bound: an
      // explicit Mem_Buf_Limit keeps Fluent Bit's behaviour (the input waits for the tick).
      this.o.router().flushNow()
    } else {
      this.series.paused.set(1)
      this.series.pauses.inc()
      this.log.info('paused (mem buf overlimit)')
    }
    if (this.started) {
      try {
        this.plugin.pause?.(this.state)
      } catch (err) {
        this.log.error(`cannot pause: ${(err as Error)?.message}`)
      }
    }
  }

  private resume(): void {
    this.isPaused = false
    if (!this.quietPause) {
      this.series.paused.set(0)
      this.log.info('resume (mem buf overlimit)')
    }
    if (this.started) {
      try {
        this.plugin.resume?.(this.state)
      } catch (err) {
        this.log.error(`cannot resume: ${(err as Error)?.message}`)
      }
    }
    const ws = this.resumeWaiters
    this.resumeWaiters = []
    for (const w of ws) w()
  }

  whenResumed(): Promise<void> {
    if (!this.isPaused) return Promise.resolve()
    return new Promise((resolve) => this.resumeWaiters.push(resolve))
  }

  /** Wakes anything waiting for resume (shutdown): the input is stopping anyway. */
  releaseWaiters(): void {
    const ws = this.resumeWaiters
    this.resumeWaiters = []
    for (const w of ws) w()
  }
}
