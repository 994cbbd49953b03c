// What text parsers (regex, logfmt, ltsv) share once they have split a line into key/value pairs:
// the time key (parsed with Time_Format, dropped unless Time_Keep), Types casting and decoders.

import { compileTimeFormat, type TimeValue } from '@sluice/core/strptime.ts'
import type { DecoderMap } from './decoders.ts'
import type { ParserDefinition } from './definition.ts'
import { castValue, type TypeMap } from './types-cast.ts'

export type TimeFn = (text: string) => TimeValue | null

/** The parser's time reader, or undefined when it has no Time_Format (the time key is then a plain field). */
export function makeTimeFn(def: ParserDefinition): TimeFn | undefined {
  if (def.timeFormat === undefined) return undefined
  const f = compileTimeFormat(def.timeFormat)
  if ('error' in f) return undefined
  const opts = {
    offsetSec: f.hasZone ? undefined : def.timeOffset,
    systemTimezone: def.timeSystemTimezone,
    timeZone: f.hasZone ? undefined : def.timeZone,
    lenient: !def.timeStrict,
  }
  return (text) => f.parse(text, opts)
}

export interface FieldSink {
  readonly timeKey: string
  readonly timeFn: TimeFn | undefined
  readonly timeKeep: boolean
  readonly types: TypeMap | undefined
  readonly decoders: DecoderMap | undefined
}

export function makeSink(def: ParserDefinition): FieldSink {
  return {
    timeKey: def.timeKey,
    timeFn: makeTimeFn(def),
    timeKeep: def.timeKeep,
    types: def.types,
    decoders: def.decoders,
  }
}

/**
 * Sets a record field. A key `__proto__` (from a log line or decoded JSON) must stay a plain key:
 * assigning it would change the record's prototype instead.
 */
export function setField(body: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(body, key, { value, writable: true, enumerable: true, configurable: true })
  else body[key] = value
}

/** Value of a field after Types. */
export function typed(sink: FieldSink, key: string, value: string): unknown {
  const t = sink.types?.get(key)
  return t === undefined ? value : castValue(t, value)
}
