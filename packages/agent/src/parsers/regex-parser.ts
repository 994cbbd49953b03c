// Format regex (fluent-bit/src/flb_parser_regex.c): named groups become fields, in pattern order.
// Empty values (and groups that did not take part in the match) are left out unless
// Skip_Empty_Values is off, in which case they are empty strings. A time field that Time_Format
// cannot read is left out of the record (Fluent Bit warns and skips it) and the record keeps the
// time it already had.

import type { Body } from '@sluice/core/record.ts'
import { objectLiteralFunction } from '../object-literal.ts'
import { criSplitter } from './cri-fast-path.ts'
import { applyDecoders } from './decoders.ts'
import type { ParserDefinition } from './definition.ts'
import { makeSink, setField, typed } from './fields.ts'
import type { ParseResult, Parser } from './types.ts'

export function createRegexParser(def: ParserDefinition): Parser {
  const tr = def.regex!
  const re = tr.regex
  const names = tr.names.map((n) => n.name)
  const indices = tr.names.map((n) => n.index)
  const sink = makeSink(def)
  const { timeKey, timeFn, timeKeep, decoders } = sink
  const skipEmpty = def.skipEmptyValues
  const hasTypes = sink.types !== undefined
  const n = names.length
  const values: (string | undefined)[] = new Array(n)
  // fast path: the stock CRI pattern (and its variants) split by hand, with identical results.
  const fast = criSplitter(def.regexSource ?? '', names)
  // fast path: a split CRI line whose values are all non-empty and whose time (if any) is kept is
  // one object literal: the fields build() would set, in the same order, without a keyed store each.
  const literal = fast !== undefined && !hasTypes && !decoders ? literalBuilder(names) : undefined
  const timeIndex = timeFn === undefined ? -1 : names.indexOf(timeKey)

  const build = (): ParseResult => {
    const body: Body = {}
    let sec: number | undefined
    let nsec: number | undefined
    let timeError: string | undefined
    for (let k = 0; k < n; k++) {
      let v = values[k]
      if (v === undefined || v === '') {
        if (skipEmpty) continue
        v = ''
      }
      const name = names[k]!
      if (timeFn !== undefined && name === timeKey) {
        const t = timeFn(v)
        if (t === null) {
          timeError = `invalid time format ${def.timeFormat} for '${v.slice(0, 254)}'`
          continue
        }
        sec = t.sec
        nsec = t.nsec
        if (!timeKeep) continue
      }
      setField(body, name, hasTypes ? typed(sink, name, v) : v)
    }
    if (decoders) applyDecoders(body, decoders)
    if (sec !== undefined) return { body, sec, nsec }
    return timeError === undefined ? { body } : { body, timeError }
  }

  return {
    name: def.name,
    format: 'regex',
    regex: re,
    parse(text: string): ParseResult | null {
      if (fast !== undefined) {
        const r = fast(text, values)
        if (r === false) return null
        if (r === true) {
          if (literal !== undefined && (timeIndex < 0 || timeKeep) && allPresent(values, n)) {
            if (timeIndex < 0) return { body: literal(values) }
            const t = timeFn!(values[timeIndex]!)
            // An unreadable time leaves the field out: build() does that (and says why).
            if (t !== null) return { body: literal(values), sec: t.sec, nsec: t.nsec }
          }
          return build()
        }
      }
      re.lastIndex = 0
      const m = re.exec(text)
      if (m === null || m.length <= 1) return null
      for (let k = 0; k < n; k++) values[k] = m[indices[k]!]
      return build()
    },
  }
}

/** True when the first `n` values are all non-empty strings. */
function allPresent(values: readonly (string | undefined)[], n: number): boolean {
  for (let k = 0; k < n; k++) if (values[k] === undefined || values[k] === '') return false
  return true
}

/**
 * `(v) => ({"time": v[0], "stream": v[1], …})` for the group names; undefined when a name is
 * `__proto__` or repeated, or code generation is disabled (build() does it all then).
 */
function literalBuilder(names: readonly string[]): ((v: readonly (string | undefined)[]) => Body) | undefined {
  if (new Set(names).size !== names.length) return undefined
  return objectLiteralFunction(
    ['v'],
    names.map((name, k) => [name, `v[${k}]`] as const),
  )
}
