// Format logfmt (fluent-bit/src/flb_parser_logfmt.c; https://brandur.org/logfmt): `key=value`,
// `key="quoted \" value"`, bare `key` (→ true). Key bytes are any above space except `=` and `"`.
// Parsing stops at the end of the first line. A time field that Time_Format cannot read makes the
// whole line fail, as in Fluent Bit. With Logfmt_No_Bare_Keys a bare key rejects the line.

import type { Body } from '@sluice/core/record.ts'
import { applyDecoders, unescapeUtf8 } from './decoders.ts'
import type { ParserDefinition } from './definition.ts'
import { makeSink, setField, typed } from './fields.ts'
import type { ParseResult, Parser } from './types.ts'

const isIdent = (c: number) => c > 32 && c !== 61 && c !== 34

export function createLogfmtParser(def: ParserDefinition): Parser {
  const sink = makeSink(def)
  const { timeKey, timeFn, timeKeep, decoders } = sink
  const hasTypes = sink.types !== undefined
  return {
    name: def.name,
    format: 'logfmt',
    parse(text: string): ParseResult | null {
      const body: Body = {}
      let count = 0
      let sec: number | undefined
      let nsec: number | undefined
      const end = text.length
      let i = 0
      while (i < end) {
        while (i < end && !isIdent(text.charCodeAt(i))) i++
        if (i === end) break
        const k0 = i
        while (i < end && isIdent(text.charCodeAt(i))) i++
        const key = text.slice(k0, i)
        let value = ''
        let valueSet = false
        let quoted = false
        let escaped = false
        if (i < end && text[i] === '=') {
          valueSet = true
          i++
          if (i < end) {
            if (text[i] === '"') {
              i++
              quoted = true
              const v0 = i
              while (i < end) {
                const c = text[i]
                if (c === '\\') {
                  escaped = true
                  i += 2
                  if (i > end) i = end
                } else if (c === '"') break
                else i++
              }
              value = text.slice(v0, i)
              if (i < end && text[i] === '"') i++
            } else {
              const v0 = i
              while (i < end && isIdent(text.charCodeAt(i))) i++
              value = text.slice(v0, i)
            }
          }
        }
        if (def.logfmtNoBareKeys && value === '' && !valueSet) return null
        let isTime = false
        if (timeFn !== undefined && key === timeKey && value !== '') {
          const t = timeFn(value)
          if (t === null) return null
          sec = t.sec
          nsec = t.nsec
          isTime = true
        }
        if (!isTime || timeKeep) {
          if (hasTypes) setField(body, key, typed(sink, key, value))
          else if (value === '') setField(body, key, quoted ? '' : true)
          else setField(body, key, escaped ? unescapeUtf8(value, true) : value)
          count++
        }
        if (i >= end) break
        const c = text[i]
        if (c === '\r' || c === '\n') break
      }
      if (count === 0) return null
      if (decoders) applyDecoders(body, decoders)
      return sec === undefined ? { body } : { body, sec, nsec }
    },
  }
}
