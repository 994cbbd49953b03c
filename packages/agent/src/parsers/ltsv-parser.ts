// Format ltsv (http://ltsv.org; fluent-bit/src/flb_parser_ltsv.c): `label:value` pairs separated by
// TAB; labels are [0-9A-Za-z_.-]. Parsing stops at the end of the first line or at a malformed label.
// A time field that Time_Format cannot read makes the whole line fail, as in Fluent Bit.

import type { Body } from '@sluice/core/record.ts'
import { applyDecoders } from './decoders.ts'
import type { ParserDefinition } from './definition.ts'
import { makeSink, setField, typed } from './fields.ts'
import type { ParseResult, Parser } from './types.ts'

const isLabel = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45
// Field bytes: anything but NUL, TAB, LF, CR.
const isField = (c: number) => c !== 0 && c !== 9 && c !== 10 && c !== 13

/**
 * Format ltsv, or tskv (`key=value` pairs separated by TAB, after an optional `tskv\t` prefix; same
 * parser with `=` as separator, as Fluent Bit's flb_parser_tskv_do).
 */
export function createLtsvParser(def: ParserDefinition): Parser {
  const tskv = def.format === 'tskv'
  const sep = tskv ? '=' : ':'
  const sink = makeSink(def)
  const { timeKey, timeFn, timeKeep, decoders } = sink
  const hasTypes = sink.types !== undefined
  return {
    name: def.name,
    format: def.format,
    parse(input: string): ParseResult | null {
      const text = tskv && input.startsWith('tskv\t') ? input.slice(5) : input
      const body: Body = {}
      let count = 0
      let sec: number | undefined
      let nsec: number | undefined
      const end = text.length
      let i = 0
      while (i < end) {
        const l0 = i
        while (i < end && isLabel(text.charCodeAt(i))) i++
        const label = text.slice(l0, i)
        if (i === end || text[i] !== sep) break
        i++
        const f0 = i
        while (i < end && isField(text.charCodeAt(i))) i++
        const field = text.slice(f0, i)
        if (label !== '') {
          let isTime = false
          if (timeFn !== undefined && label === timeKey && field !== '') {
            const t = timeFn(field)
            if (t === null) return null
            sec = t.sec
            nsec = t.nsec
            isTime = true
          }
          if (!isTime || timeKeep) {
            setField(body, label, hasTypes ? typed(sink, label, field) : field)
            count++
          }
        }
        if (i === end) break
        if (text[i] === '\t') i++
        if (i === end) break
        if (text[i] === '\r' || text[i] === '\n') break
      }
      if (count === 0) return null
      if (decoders) applyDecoders(body, decoders)
      return sec === undefined ? { body } : { body, sec, nsec }
    },
  }
}
