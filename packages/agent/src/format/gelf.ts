// Records → GELF 1.1 messages (Graylog Extended Log Format), as Fluent Bit's flb_msgpack_to_gelf:
// `short_message`, `full_message`, `host`, `level` and `timestamp` come from configurable record keys;
// every other field becomes an additional field `_key`, nested maps flattened as `_parent_child`.
// The timestamp is seconds with milliseconds. A record without its short message cannot be a GELF
// message: it is refused with that reason.

import type { LogEvent } from '@sluice/core/record.ts'
import { escapeNonAscii } from './json-escape.ts'

export interface GelfKeys {
  readonly shortMessage: string
  readonly fullMessage: string
  readonly host: string
  readonly level: string
  readonly timestamp: string
}

export const DEFAULT_GELF_KEYS: GelfKeys = {
  shortMessage: 'short_message',
  fullMessage: 'full_message',
  host: 'host',
  level: 'level',
  timestamp: 'timestamp',
}

function flatten(prefix: string, v: unknown, out: Record<string, unknown>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(`${prefix}_${k}`, x, out)
    return
  }
  out[prefix] = typeof v === 'object' && v !== null ? JSON.stringify(v) : v
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))

/** One record as a GELF JSON object, or the reason it cannot be one. */
export function toGelf(e: LogEvent, keys: GelfKeys): { json: string } | { error: string } {
  const b = e.body
  if (b[keys.shortMessage] === undefined)
    return { error: `record has no '${keys.shortMessage}' for GELF short_message` }
  const msg: Record<string, unknown> = { version: '1.1' }
  if (b[keys.host] !== undefined) msg.host = text(b[keys.host])
  msg.short_message = text(b[keys.shortMessage])
  if (b[keys.fullMessage] !== undefined) msg.full_message = text(b[keys.fullMessage])
  const ts = b[keys.timestamp]
  msg.timestamp = typeof ts === 'number' ? ts : Number((e.sec + Math.floor(e.nsec / 1e6) / 1000).toFixed(3))
  if (b[keys.level] !== undefined) {
    const l = Number(b[keys.level])
    msg.level = Number.isFinite(l) ? l : b[keys.level]
  }
  const special = new Set([keys.shortMessage, keys.fullMessage, keys.host, keys.level, keys.timestamp])
  for (const [k, v] of Object.entries(b)) {
    if (special.has(k)) continue
    flatten(k.startsWith('_') ? k : `_${k}`, v, msg)
  }
  return { json: escapeNonAscii(JSON.stringify(msg)) }
}
