// Multiline joining: records of one source go in one by one, complete records come out (a Java
// stack trace becomes one record; CRI P/F partial lines become one line). Used by tail's
// `multiline.parser` and by the `multiline` filter.

import type { LogEvent } from '@sluice/core/record.ts'

export interface JoinerOptions {
  /** Field holding the text to join (`log` unless the parser's key_content says otherwise). */
  readonly keyContent?: string
  /** Milliseconds a pending record may wait for continuation lines. */
  readonly flushMs?: number
  /** Bytes a joined record may grow to; beyond it the record is truncated and counted. */
  readonly bufferLimit?: number
}

export interface MultilineJoiner {
  /**
   * Adds one record of stream `group` (independent streams, e.g. file + stdout/stderr, never mix).
   * Returns the records that are complete now, in order (possibly none).
   */
  push(event: LogEvent, group: string): LogEvent[]
  /**
   * The one record a line makes when nothing is pending and it completes at once, as push() would
   * return it; undefined when the line needs push() (cheaper than push() for the common case).
   */
  pushOne?(event: LogEvent): LogEvent | undefined
  /** Completes records that waited longer than the flush timeout. `now`: epoch milliseconds. */
  flushExpired(now: number): LogEvent[]
  /** Completes everything pending (shutdown, end of file, reload). */
  flushAll(group?: string): LogEvent[]
  /** How many input records are held, for one group or all. */
  pending(group?: string): number
  /** Records truncated because they exceeded the buffer limit. */
  readonly truncated: number
}

export interface MultilineRegistry {
  /** Names of built-in and configured multiline parsers. */
  names(): string[]
  has(name: string): boolean
  /** A joiner that tries the named parsers in order (as `multiline.parser a, b` does). */
  create(names: readonly string[], opts?: JoinerOptions): MultilineJoiner
}
