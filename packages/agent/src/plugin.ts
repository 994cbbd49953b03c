// The plugin contract. A plugin is one typed object: name, description, option table, callbacks
// (as Fluent Bit declares each plugin as a struct plus a config_map). `defineInput`, `defineFilter`
// and `defineOutput` only check the shape and infer the option types; the engine does the rest.
//
// Delivery is acknowledged end to end: an input passes an `AckCallback` with the records it emits;
// the engine calls it once every output those records were routed to has delivered them, or rejected
// them for good with a recorded reason (counted and logged). The tail input commits offsets only then.

import type { Logger } from '@sluice/core/log.ts'
import type { OptionTable, OptionValues } from '@sluice/core/options.ts'
import type { LogEvent } from '@sluice/core/record.ts'
import type { MetricsRegistry } from './metrics.ts'
import type { MultilineRegistry } from './multiline/types.ts'
import type { ParserRegistry } from './parsers/types.ts'

export type { LogEvent } from '@sluice/core/record.ts'

/** Service-level settings every plugin may read ([SERVICE] section). */
export interface ServiceSettings {
  /** Seconds between flushes of buffered records to outputs. */
  readonly flush: number
  /** Seconds to drain on shutdown. */
  readonly grace: number
  /** `storage.path`, when filesystem buffering is configured. */
  readonly storagePath?: string
  readonly logLevel: string
  /** `multiline_buffer_limit` in bytes (joiners' JoinerOptions.bufferLimit). */
  readonly multilineBufferLimit?: number
}

export interface PluginContext {
  /** Instance id in Fluent Bit's spelling: `tail.0`, `es.1`, or the instance's `Alias`. */
  readonly id: string
  readonly log: Logger
  readonly metrics: MetricsRegistry
  readonly parsers: ParserRegistry
  readonly multiline: MultilineRegistry
  readonly service: ServiceSettings
  /** Resolves a path written in the config: relative to the config file's directory. */
  resolvePath(path: string): string
  /**
   * Reads a file named in the config (a Lua script, a CA file, …): from disk, or from the ConfigMap
   * that carried the config when the path names one of its keys.
   */
  readFile(path: string): Promise<string>
  /** Aborted when the agent shuts down or the instance is removed by a reload. */
  readonly signal: AbortSignal
}

/** What became of emitted records once every output they were routed to finished with them. */
export interface DeliveryOutcome {
  /** Records delivered (or dropped on purpose by a filter, which is a decision, not a loss). */
  readonly delivered: number
  /** Records rejected for good by some output (each with a reason already logged and counted). */
  readonly rejected: number
}
export type AckCallback = (outcome: DeliveryOutcome) => void

/**
 * A batch's delivery tracker. Whoever keeps records of a batch beyond the call that received them
 * (a multiline buffer, a rewrite_tag copy, an output queue) retains it, and releases it when done.
 */
export interface Ack {
  retain(): void
  /** `rejected`: how many records this holder rejected for good. */
  release(rejected?: number): void
}

export interface InputContext extends PluginContext {
  /** The instance's `Tag` (Fluent Bit's default: the instance name, e.g. `tail.0`). */
  readonly tag: string
  /**
   * Sends records into the pipeline (filters, then routing by tag). `ack` is called exactly once when
   * all outputs are done with them (immediately when nothing matches the tag).
   */
  emit(tag: string, events: LogEvent[], ack?: AckCallback): void
  /** True while the input must not read more (Mem_Buf_Limit reached, or storage limits). */
  readonly paused: boolean
  /** Resolves when the input may read again (immediately when not paused). */
  whenResumed(): Promise<void>
}

export interface InputPlugin<T extends OptionTable = OptionTable, S = unknown> {
  readonly kind: 'input'
  readonly name: string
  readonly description: string
  readonly options: T
  /**
   * Checks that need several options together (one option's value is checked by its table). Each
   * problem names the option it is reported at; `sluice check` and start-up report them as config errors.
   */
  readonly validate?: (opts: OptionValues<T>) => readonly OptionProblem[]
  /** Validates and prepares; throw an Error with a precise message for a bad configuration. */
  init(opts: OptionValues<T>, ctx: InputContext): S | Promise<S>
  /** Starts producing records; returns once started (reading continues in the background). */
  start(state: S, ctx: InputContext): void | Promise<void>
  /** Stops producing; pending acknowledgements may still arrive afterwards. */
  stop?(state: S): void | Promise<void>
  /** Called when the engine pauses/resumes this input for backpressure. */
  pause?(state: S): void
  resume?(state: S): void
}

export interface FilterContext extends PluginContext {
  /**
   * Emits records under a new tag, from the start of the pipeline (rewrite_tag, emitter). They keep
   * the delivery acknowledgement of the batch they came from: retain `ack` before, the engine releases.
   */
  emit(tag: string, events: LogEvent[], ack: Ack): void
}

export interface FilterPlugin<T extends OptionTable = OptionTable, S = unknown> {
  readonly kind: 'filter'
  readonly name: string
  readonly description: string
  readonly options: T
  /**
   * Checks that need several options together (one option's value is checked by its table). Each
   * problem names the option it is reported at; `sluice check` and start-up report them as config errors.
   */
  readonly validate?: (opts: OptionValues<T>) => readonly OptionProblem[]
  init(opts: OptionValues<T>, ctx: FilterContext): S | Promise<S>
  /**
   * Processes one batch of one tag. Returns the records to pass on: the same array (mutated in place
   * is fine), a new one, or an empty one to drop them all. Synchronous on the fast path; a Promise is
   * accepted for filters that must wait (kubernetes metadata).
   */
  filter(events: LogEvent[], tag: string, state: S, ctx: FilterContext, ack: Ack): LogEvent[] | Promise<LogEvent[]>
  /** Emits whatever the filter still holds (multiline buffers) before shutdown or reload. */
  flush?(state: S, ctx: FilterContext): void | Promise<void>
  stop?(state: S): void | Promise<void>
}

export interface Rejection {
  readonly event: LogEvent
  readonly reason: string
}

export type FlushResult =
  /** Everything delivered. */
  | { readonly kind: 'ok' }
  /** Nothing delivered; try the whole batch again later (429, 5xx, connection error). */
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  /** Nothing delivered and retrying cannot help (401, bad config): the batch is rejected for good. */
  | { readonly kind: 'error'; readonly reason: string }
  /**
   * Some delivered. `retry`: the records to send again (alone); `rejected`: records given up for good
   * (e.g. dead-lettered with their reason). Records in neither list were delivered.
   */
  | {
      readonly kind: 'partial'
      readonly reason: string
      readonly retry: readonly LogEvent[]
      readonly rejected: readonly Rejection[]
      readonly retryAfterMs?: number
    }

export type OutputContext = PluginContext

export interface OutputPlugin<T extends OptionTable = OptionTable, S = unknown> {
  readonly kind: 'output'
  readonly name: string
  readonly description: string
  readonly options: T
  /**
   * Checks that need several options together (one option's value is checked by its table). Each
   * problem names the option it is reported at; `sluice check` and start-up report them as config errors.
   */
  readonly validate?: (opts: OptionValues<T>) => readonly OptionProblem[]
  /** Default of the common `Workers` option when the section does not set it (Fluent Bit's `.workers`); 1 if absent. */
  readonly defaultWorkers?: number
  init(opts: OptionValues<T>, ctx: OutputContext): S | Promise<S>
  /**
   * Delivers one batch of one tag. Must not throw for delivery problems: return a FlushResult.
   * A thrown error is treated as `retry` with the error's message.
   */
  flush(events: readonly LogEvent[], tag: string, state: S, ctx: OutputContext): Promise<FlushResult>
  stop?(state: S): void | Promise<void>
}

/** A problem found by a plugin's `validate`: the option to point at and what is wrong. */
export interface OptionProblem {
  readonly option: string
  readonly message: string
}

export type AnyInputPlugin = InputPlugin<any, any>
export type AnyFilterPlugin = FilterPlugin<any, any>
export type AnyOutputPlugin = OutputPlugin<any, any>
export type AnyPlugin = AnyInputPlugin | AnyFilterPlugin | AnyOutputPlugin

export function defineInput<const T extends OptionTable, S>(p: Omit<InputPlugin<T, S>, 'kind'>): InputPlugin<T, S> {
  return { kind: 'input', ...p }
}
export function defineFilter<const T extends OptionTable, S>(p: Omit<FilterPlugin<T, S>, 'kind'>): FilterPlugin<T, S> {
  return { kind: 'filter', ...p }
}
export function defineOutput<const T extends OptionTable, S>(p: Omit<OutputPlugin<T, S>, 'kind'>): OutputPlugin<T, S> {
  return { kind: 'output', ...p }
}
