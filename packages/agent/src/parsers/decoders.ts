// Decode_Field / Decode_Field_As (fluent-bit/src/flb_parser_decoder.c; docs: "Decoders").
// `Decode_Field <decoder> <key> [try_next|do_next]` appends the keys of a decoded JSON map to the
// record; `Decode_Field_As` replaces the value in place. Decoders: json, escaped, escaped_utf8.
// Rules of one key run in order; a failure stops unless the rule says try_next/do_next; do_next
// also continues after a success. After a Decode_Field_As produced a map, later rules are skipped.

import type { Body } from '@sluice/core/record.ts'
import { setField } from './fields.ts'

export type DecoderBackend = 'json' | 'escaped' | 'escaped_utf8' | 'mysql_quoted'
export interface DecoderRule {
  readonly as: boolean
  readonly backend: DecoderBackend
  readonly action: 'none' | 'try_next' | 'do_next'
}
export type DecoderMap = ReadonlyMap<string, readonly DecoderRule[]>

/** Parses one Decode_Field(_As) value; an error message for an unknown decoder or a missing key. */
export function parseDecoder(as: boolean, value: string): { key: string; rule: DecoderRule } | { error: string } {
  const parts = value.trim().split(/\s+/)
  if (parts.length < 2 || !parts[0]) return { error: `expected '<decoder> <field> [try_next|do_next]', got '${value}'` }
  const backend = parts[0].toLowerCase()
  if (backend !== 'json' && backend !== 'escaped' && backend !== 'escaped_utf8' && backend !== 'mysql_quoted')
    return { error: `unknown decoder '${parts[0]}' (use json, escaped, escaped_utf8 or mysql_quoted)` }
  const a = (parts[2] ?? '').toLowerCase()
  const action = a === 'try_next' || a === 'do_next' ? a : 'none'
  return { key: parts[1]!, rule: { as, backend, action } }
}

/**
 * Fluent Bit's `escaped` decoder: `\n \a \b \t \v \f \r \\` are decoded; before any other character the
 * backslash is dropped and that character read again (flb_unescape_string).
 */
export function unescapeString(s: string): string {
  if (!s.includes('\\')) return s
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1]!
      const map: Record<string, string> = {
        n: '\n',
        a: '\x07',
        b: '\b',
        t: '\t',
        v: '\v',
        f: '\f',
        r: '\r',
        '\\': '\\',
      }
      if (map[n] !== undefined) {
        out += map[n]
        i++
      }
      // An unknown escape drops the backslash; the next character is read again (as Fluent Bit does).
      continue
    }
    out += c
  }
  return out
}

/**
 * Fluent Bit's `escaped_utf8` decoder: C escapes (\n, octal, \xHH, \uHHHH, \UHHHHHHHH); `\" \' \\ \/`
 * stay as written unless `jsonEscapes` (flb_unescape_string_utf8, used by logfmt, decodes them too).
 */
export function unescapeUtf8(s: string, jsonEscapes = false): string {
  if (!s.includes('\\')) return s
  let out = ''
  let i = 0
  while (i < s.length) {
    const c = s[i]!
    const n = s[i + 1]
    const jsonEscape = n === '"' || n === "'" || n === '\\' || n === '/'
    if (c !== '\\' || n === undefined || (jsonEscape && !jsonEscapes)) {
      out += c
      i++
      continue
    }
    if (jsonEscape) {
      out += n
      i += 2
      continue
    }
    i++
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07' }
    if (simple[n] !== undefined) {
      out += simple[n]
      i++
      continue
    }
    let m: RegExpExecArray | null
    if ((m = /^[0-7]{1,3}/.exec(s.slice(i, i + 3)))) {
      out += String.fromCodePoint(Number.parseInt(m[0], 8))
      i += m[0].length
    } else if (n === 'x' && (m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1, i + 3)))) {
      out += String.fromCodePoint(Number.parseInt(m[0], 16))
      i += 1 + m[0].length
    } else if (n === 'u' && (m = /^[0-9a-fA-F]{1,4}/.exec(s.slice(i + 1, i + 5)))) {
      out += String.fromCharCode(Number.parseInt(m[0], 16))
      i += 1 + m[0].length
    } else if (n === 'U' && (m = /^[0-9a-fA-F]{1,8}/.exec(s.slice(i + 1, i + 9)))) {
      const cp = Number.parseInt(m[0], 16)
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : ''
      i += 1 + m[0].length
    } else {
      out += n
      i++
    }
  }
  return out
}

/**
 * The `mysql_quoted` decoder: a value in single quotes loses them and has MySQL's escapes decoded
 * (`\n \r \t \\ \' \" \0 \Z`; any other `\x` stays as written); an unquoted value is kept.
 */
export function mysqlUnquote(s: string): string {
  if (s.length < 2 || s[0] !== "'" || s[s.length - 1] !== "'") return s
  const body = s.slice(1, -1)
  if (!body.includes('\\')) return body
  const map: Record<string, string> = {
    n: '\n',
    r: '\r',
    t: '\t',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '0': '\0',
    Z: '\x1a',
  }
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c !== '\\' || i + 1 >= body.length) {
      out += c
      continue
    }
    const n = body[++i]!
    out += map[n] ?? `\\${n}`
  }
  return out
}

function decodeJson(s: string): Body | null {
  const t = unescapeString(s).trimStart()
  if (t[0] !== '{') return null
  try {
    const v = JSON.parse(t)
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : null
  } catch {
    return null
  }
}

/** Applies the decoders to a record in place; returns the record (keys appended by Decode_Field last). */
export function applyDecoders(body: Body, decoders: DecoderMap): Body {
  let extra: Body | undefined
  for (const [key, rules] of decoders) {
    const original = body[key]
    if (typeof original !== 'string') continue
    let data: string = original
    let asValue: unknown
    let decodedAs = false
    let asIsString = true
    let decoded: Body | undefined
    for (const rule of rules) {
      if (!rule.as && rule.action === 'do_next' && decoded) continue
      if (decodedAs && !asIsString) continue
      let ok = true
      let outString: string | undefined
      let outMap: Body | undefined
      if (rule.backend === 'json') {
        const m = decodeJson(data)
        if (m) outMap = m
        else ok = false
      } else
        outString =
          rule.backend === 'escaped'
            ? unescapeString(data)
            : rule.backend === 'mysql_quoted'
              ? mysqlUnquote(data)
              : unescapeUtf8(data)
      if (!ok) {
        if (rule.action !== 'none') continue
        break
      }
      if (rule.as) {
        decodedAs = true
        asIsString = outString !== undefined
        asValue = outString ?? outMap
        if (outString !== undefined) data = outString
      } else if (outMap) decoded = outMap
      if (rule.action === 'do_next') continue
      break
    }
    if (decodedAs) setField(body, key, asValue)
    if (decoded) {
      extra ??= {}
      for (const k of Object.keys(decoded)) setField(extra, k, decoded[k])
    }
  }
  if (extra) for (const k of Object.keys(extra)) setField(body, k, extra[k])
  return body
}
