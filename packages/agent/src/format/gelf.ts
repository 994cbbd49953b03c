// Records → GELF 1.1 messages (Graylog Extended Log Format), written as Fluent Bit's
// flb_msgpack_to_gelf (src/flb_pack_gelf.c) writes them:
//
//   {"version":"1.1", "host":"node-1", "short_message":"boom", "_k8s_pod":"p", "timestamp":1795332600.123}
//
// Fields keep the record's order, separated by `, `. The configured keys become `host`,
// `short_message`, `full_message`, `level` (a digit or a syslog keyword becomes 0..7) and `timestamp`;
// every other field is `_key` (characters outside [0-9A-Za-z_.-] become `_`; `id` is left out, GELF
// forbids `_id`), nested maps flattened as `_parent_child`, arrays as one string of their items.
// Booleans are written as strings, nulls left out. Without a timestamp field, the record time is
// appended with milliseconds. A record without its short message, or whose level is neither a number
// nor a string, cannot be a GELF message: it is refused with that reason.

import type { LogEvent } from '@sluice/core/record.ts'
import { escapeNonAscii } from './json-escape.ts'
import { printfF } from './numbers.ts'

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

const SYSLOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']

const keyText = (k: string) => k.replace(/[^0-9A-Za-z_.-]/g, '_')
const quoted = (s: string) => JSON.stringify(s)

function scalar(v: unknown, inArray: boolean): string | undefined {
  if (v === null || v === undefined) return inArray ? 'null' : undefined
  if (typeof v === 'boolean') return inArray ? String(v) : `"${v}"`
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : printfF(v)
  if (typeof v === 'bigint') return String(v)
  if (typeof v === 'string') return inArray ? v : quoted(v)
  return undefined
}

/** Array items as Fluent Bit joins them: `a, b, k=v k2=v2` inside one string. */
function arrayText(items: readonly unknown[]): string {
  const parts = items.map((item) => {
    if (Array.isArray(item)) return arrayText(item)
    if (item !== null && typeof item === 'object') {
      return Object.entries(item as Record<string, unknown>)
        .map(([k, v]) => `${keyText(k)}=${Array.isArray(v) ? arrayText(v) : (scalar(v, true) ?? '')}`)
        .join(' ')
    }
    return scalar(item, true) ?? ''
  })
  return parts.join(', ')
}

function flattenMap(prefix: string, map: Record<string, unknown>, out: string[]): void {
  for (const [k, v] of Object.entries(map)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      flattenMap(`${prefix}_${k}`, v as Record<string, unknown>, out)
      continue
    }
    const name = `${keyText(prefix)}_${keyText(k)}`
    const value = Array.isArray(v) ? quoted(arrayText(v)) : v === null ? 'null' : scalar(v, false)
    if (value !== undefined) out.push(`"${name}":${value}`)
  }
}

/** One record as a GELF JSON object, or the reason it cannot be one. */
export function toGelf(e: LogEvent, keys: GelfKeys): { json: string } | { error: string } {
  const fields: string[] = ['"version":"1.1"']
  const found = new Set<string>()
  for (const [k, raw] of Object.entries(e.body)) {
    let name: string
    let custom = false
    let v = raw
    if (k === keys.host) name = 'host'
    else if (k === keys.shortMessage) name = 'short_message'
    else if (k === keys.timestamp) name = 'timestamp'
    else if (k === keys.level) {
      name = 'level'
      if (typeof v === 'string') {
        if (/^[0-7]$/.test(v)) v = Number(v)
        else {
          const n = SYSLOG_LEVELS.indexOf(v.toLowerCase())
          if (n >= 0) v = n
        }
      } else if (typeof v !== 'number') return { error: `GELF level '${k}' must be a number or a string` }
    } else if (k === keys.fullMessage) name = 'full_message'
    else if (k === 'id') continue
    else {
      name = k
      custom = true
    }
    if (!custom) {
      if (found.has(name)) continue
      found.add(name)
    }
    const key = custom ? `_${keyText(name)}` : name
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      flattenMap(`_${name}`, v as Record<string, unknown>, fields)
      continue
    }
    const value = Array.isArray(v) ? quoted(arrayText(v)) : scalar(v, false)
    if (value !== undefined) fields.push(`"${key}":${value}`)
  }
  if (!found.has('timestamp')) fields.push(`"timestamp":${e.sec}.${String(Math.floor(e.nsec / 1e6)).padStart(3, '0')}`)
  if (!found.has('short_message')) return { error: `record has no '${keys.shortMessage}' for GELF short_message` }
  return { json: escapeNonAscii(`{${fields.join(', ')}}`) }
}
