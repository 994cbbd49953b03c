// The `json_date_key` / `json_date_format` pair of Fluent Bit's JSON outputs (stdout, http, file's
// json_lines): the record time rendered as `double` (seconds.fraction), `epoch` (seconds), `epoch_ms`,
// `iso8601` (`2026-11-22T07:30:00.123456Z`) or `java_sql_timestamp` (`2026-11-22 07:30:00.123456`),
// microseconds as in flb_pack.c.

import type { OptionSpec } from '@sluice/core/options.ts'
import { jsonDouble } from './numbers.ts'

export const JSON_DATE_FORMATS = [
  'double',
  'epoch',
  'epoch_ms',
  'epoch_millis',
  'epoch_milliseconds',
  'iso8601',
  'java_sql_timestamp',
] as const
export type JsonDateFormat = (typeof JSON_DATE_FORMATS)[number]

export const jsonDateFormatOption = {
  type: 'str',
  default: 'double',
  values: JSON_DATE_FORMATS,
  description: 'How the record time is written: double, epoch, epoch_ms, iso8601 or java_sql_timestamp.',
} as const satisfies OptionSpec

export const jsonDateKeyOption = {
  type: 'str',
  default: 'date',
  description: 'Key of the record time in JSON output; `false` or `off` leaves it out.',
} as const satisfies OptionSpec

/** A date key as configured: null when disabled (`false`, `off`). */
export function dateKeyOf(value: string | undefined): string | null {
  if (value === undefined) return 'date'
  const v = value.trim().toLowerCase()
  return v === 'false' || v === 'off' || v === 'no' ? null : value
}

const p2 = (n: number) => (n < 10 ? '0' : '') + n

function civil(sec: number): string {
  const d = new Date(sec * 1000)
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`
}

function clock(sec: number): string {
  const s = ((sec % 86400) + 86400) % 86400
  return `${p2(Math.floor(s / 3600))}:${p2(Math.floor((s % 3600) / 60))}:${p2(s % 60)}`
}

/** The JSON text of the date value (a number, or a quoted string). */
export function jsonDateValue(sec: number, nsec: number, format: JsonDateFormat): string {
  switch (format) {
    case 'double':
      return jsonDouble(sec + nsec / 1e9)
    case 'epoch':
      return String(sec)
    case 'epoch_ms':
    case 'epoch_millis':
    case 'epoch_milliseconds':
      return String(sec * 1000 + Math.floor(nsec / 1e6))
    case 'iso8601':
      return `"${civil(sec)}T${clock(sec)}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}Z"`
    case 'java_sql_timestamp':
      return `"${civil(sec)} ${clock(sec)}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}"`
  }
}
