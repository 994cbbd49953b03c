// Format json (fluent-bit/src/flb_parser_json.c): the text must be one JSON object. Decoders run
// first; then, when Time_Format is set, a string time field is parsed and removed unless Time_Keep.
// A time that cannot be parsed stays in the record and the record keeps its own time. Types does not
// apply to this format (as documented).

import type { Body } from '@sluice/core/record.ts'
import { applyDecoders } from './decoders.ts'
import type { ParserDefinition } from './definition.ts'
import { makeTimeFn, setField } from './fields.ts'
import type { ParseResult, Parser } from './types.ts'

/** First non-blank character is `{` (JSON whitespace: space, tab, CR, LF). */
function looksLikeObject(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x7b) return true
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false
  }
  return false
}

export function createJsonParser(def: ParserDefinition): Parser {
  const timeFn = makeTimeFn(def)
  const { timeKey, timeKeep, decoders } = def
  return {
    name: def.name,
    format: 'json',
    parse(text: string): ParseResult | null {
      // fast path: text that cannot be a JSON object is rejected without JSON.parse, whose thrown
      // SyntaxError (with its stack) cost more than the parse itself on plain-text log lines.
      if (!looksLikeObject(text)) return null
      let v: unknown
      try {
        v = JSON.parse(text)
      } catch {
        return null
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return null
      const body = v as Body
      if (decoders) applyDecoders(body, decoders)
      if (timeFn === undefined) return { body }
      const tv = body[timeKey]
      if (tv === undefined) return { body }
      // Fluent Bit reads only string times here ("invalid non-string time" otherwise).
      if (typeof tv !== 'string') return { body, timeError: `invalid non-string time ${JSON.stringify(tv)}` }
      const t = timeFn(tv)
      if (t === null) return { body, timeError: `invalid time format ${def.timeFormat} for '${tv.slice(0, 254)}'` }
      if (timeKeep) return { body, sec: t.sec, nsec: t.nsec }
      // A fresh object rather than `delete`, which would turn the record into a slow dictionary.
      const out: Body = {}
      for (const k of Object.keys(body)) if (k !== timeKey) setField(out, k, body[k])
      return { body: out, sec: t.sec, nsec: t.nsec }
    },
  }
}
