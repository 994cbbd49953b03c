// Routing: a batch of one tag goes through every filter whose Match/Match_Regex matches the tag, in
// config order, then to the queue of every output whose Match matches (flb_router semantics). The
// matching filters and outputs of a tag are computed once and cached, so the hot path is a map
// lookup per batch; nothing is allocated per record.
//
// Records that match no output are acknowledged at once (a decision, not a loss): counted in
// sluice_input_unrouted_records_total and debug-logged. Records a filter drops count as delivered
// for the acknowledgement and in fluentbit_filter_drop_records_total.

import type { Logger } from '@sluice/core/log.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { AnyFilterPlugin, FilterContext } from '../plugin.ts'
import type { TagMatcher } from '../tag-match.ts'
import type { Delivery } from './delivery.ts'
import type { FilterSeries, InputSeries } from './metric-names.ts'
import type { OutputQueue } from './output-queue.ts'

export interface FilterRuntime {
  readonly id: string
  readonly plugin: AnyFilterPlugin
  readonly state: unknown
  readonly ctx: FilterContext
  readonly match: TagMatcher
  readonly series: FilterSeries
  readonly log: Logger
}

export interface OutputRoute {
  readonly id: string
  readonly match: TagMatcher
  readonly queue: OutputQueue
}

interface Route {
  readonly filters: readonly FilterRuntime[]
  readonly outputs: readonly OutputRoute[]
}

/** Where records of an emit come from: for unrouted counting and logging. */
export interface Source {
  readonly id: string
  readonly series: InputSeries
  /** False when the input's `routable` is off: its records reach no output. */
  readonly routable: boolean
}

const ROUTE_CACHE_MAX = 10_000

export class Router {
  private filters: readonly FilterRuntime[] = []
  private outputs: readonly OutputRoute[] = []
  private readonly cache = new Map<string, Route>()
  private readonly log: Logger

  constructor(log: Logger) {
    this.log = log
  }

  /** Replaces the pipeline (start, reload). */
  set(filters: readonly FilterRuntime[], outputs: readonly OutputRoute[]): void {
    this.filters = filters
    this.outputs = outputs
    this.cache.clear()
  }

  /**
   * Seals every output's open chunks and starts flushing them now instead of at the next Flush tick:
   * an input waiting at the default in-flight bound would otherwise idle until the tick.
   */
  flushNow(): void {
    for (const o of this.outputs) o.queue.sealAll()
  }

  private routeFor(tag: string): Route {
    let r = this.cache.get(tag)
    if (r !== undefined) return r
    r = {
      filters: this.filters.filter((f) => f.match(tag)),
      outputs: this.outputs.filter((o) => o.match(tag)),
    }
    // tags carry file names (tail's `kube.*`), so the cache is bounded; rebuilding is cheap
    if (this.cache.size >= ROUTE_CACHE_MAX) this.cache.clear()
    this.cache.set(tag, r)
    return r
  }

  /**
   * Routes one batch. The caller holds a reference on `delivery` for the duration of the call.
   * `skip`: the filter that re-emitted these records (they do not go through it again, which
   * would loop).
   */
  route(source: Source, tag: string, events: LogEvent[], delivery: Delivery, skip?: FilterRuntime): void {
    this.runFilters(source, this.routeFor(tag), 0, tag, events, delivery, skip)
  }

  private runFilters(
    source: Source,
    r: Route,
    from: number,
    tag: string,
    events: LogEvent[],
    d: Delivery,
    skip: FilterRuntime | undefined,
  ): void {
    for (let i = from; i < r.filters.length; i++) {
      const f = r.filters[i]!
      if (f === skip) continue
      const before = events.length
      let out: LogEvent[] | Promise<LogEvent[]>
      try {
        out = f.plugin.filter(events, tag, f.state, f.ctx, d)
      } catch (err) {
        out = this.filterFailed(f, err, events)
      }
      if (out instanceof Promise) {
        // a filter that must wait (kubernetes metadata): hold the batch until it answers
        d.retain()
        const input = events
        out.then(
          (res) => this.continueAfter(source, r, i, tag, input, before, res, d, skip),
          (err) => this.continueAfter(source, r, i, tag, input, before, this.filterFailed(f, err, input), d, skip),
        )
        return
      }
      events = this.account(f, before, out, events)
      if (events.length === 0) return
    }
    this.toOutputs(source, r, tag, events, d)
  }

  private continueAfter(
    source: Source,
    r: Route,
    i: number,
    tag: string,
    input: LogEvent[],
    before: number,
    res: LogEvent[],
    d: Delivery,
    skip: FilterRuntime | undefined,
  ): void {
    try {
      const events = this.account(r.filters[i]!, before, res, input)
      if (events.length > 0) this.runFilters(source, r, i + 1, tag, events, d, skip)
    } finally {
      d.release()
    }
  }

  private account(f: FilterRuntime, before: number, out: LogEvent[], input: LogEvent[]): LogEvent[] {
    if (!Array.isArray(out)) {
      f.series.errors.inc()
      f.log.error(`filter returned ${typeof out} instead of an array of records; records passed on unchanged`)
      return input
    }
    const after = out.length
    if (after < before) f.series.drop.inc(before - after)
    else if (after > before) f.series.add.inc(after - before)
    return out
  }

  private filterFailed(f: FilterRuntime, err: unknown, events: LogEvent[]): LogEvent[] {
    // a failing filter must not lose records: they go on unchanged, and the failure is counted
    f.series.errors.inc()
    f.log.error(
      `cannot filter ${events.length} records: ${(err as Error)?.message ?? String(err)}; passed on unchanged`,
    )
    return events
  }

  private toOutputs(source: Source, r: Route, tag: string, events: LogEvent[], d: Delivery): void {
    const outs = source.routable ? r.outputs : []
    if (outs.length === 0) {
      source.series.unrouted.inc(events.length)
      if (this.log.enabled('debug'))
        this.log.debug(`${events.length} records of ${source.id} (tag ${tag}) match no output; acknowledged`)
      return
    }
    for (let i = 0; i < outs.length; i++) outs[i]!.queue.append(tag, events, d)
  }
}
