// Reserve_Data without Preserve_Key: the record's own fields except Key_Name, in their order, then the
// parsed fields; a parsed field with the name of an own field takes that field's place (the order
// `{ ...old }` minus the key, then Object.assign(parsed), would give).

import type { Body } from '@sluice/core/record.ts'
import { objectLiteralFunction } from '../../object-literal.ts'
import { setField } from '../../parsers/fields.ts'

/** The merge as written: the reference the fast path is tested against. */
export function mergeGeneral(old: Body, parsed: Body, skip: string): Body {
  const body: Body = {}
  for (const k in old) if (k !== skip && Object.hasOwn(old, k)) setField(body, k, old[k])
  for (const k in parsed) if (Object.hasOwn(parsed, k)) body[k] = parsed[k]
  return body
}

interface Shape {
  /** Keys of the record (without the skipped key) and of the parsed fields, in enumeration order. */
  readonly old: readonly string[]
  readonly parsed: readonly string[]
  /** Builds the merged record with one object literal; undefined until the shape is seen twice. */
  build: ((o: Body, p: Body) => Body) | undefined
}

/** Shapes kept per filter; logs usually have a handful (one per service and message kind). */
const MAX_SHAPES = 16
/** Shapes seen once that are remembered (shapes that alternate get compiled too). */
const MAX_CANDIDATES = 8
/** Records with more keys than this take the general merge (a literal that big buys nothing). */
const MAX_KEYS = 64

/** Key lists of a pair, or undefined when it cannot take the fast path (`__proto__`, inherited keys, too many). */
function shapeOf(old: Body, parsed: Body, skip: string): Shape | undefined {
  const ok: string[] = []
  for (const k in old) {
    if (k === '__proto__' || !Object.hasOwn(old, k)) return undefined
    if (k !== skip) ok.push(k)
  }
  const pk: string[] = []
  for (const k in parsed) {
    if (k === '__proto__' || !Object.hasOwn(parsed, k)) return undefined
    pk.push(k)
  }
  if (ok.length + pk.length > MAX_KEYS) return undefined
  return { old: ok, parsed: pk, build: undefined }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The merge for one key shape as a generated function returning an object literal, e.g.
 * `(o, p) => ({"time": p["time"], "stream": o["stream"], "level": p["level"]})`: property names are
 * JSON string literals (valid JavaScript string literals for any key; `__proto__` never gets here, as
 * a literal would set the prototype with it). The fields are created in the order mergeGeneral
 * creates them, so the object is the same.
 */
function compile(s: Shape): ((o: Body, p: Body) => Body) | undefined {
  const inParsed = new Set(s.parsed)
  const inOld = new Set(s.old)
  const fields: Array<readonly [string, string]> = []
  for (const k of s.old) fields.push([k, `${inParsed.has(k) ? 'p' : 'o'}[${JSON.stringify(k)}]`])
  for (const k of s.parsed) if (!inOld.has(k)) fields.push([k, `p[${JSON.stringify(k)}]`])
  // undefined when code generation is disabled: the general merge then
  return objectLiteralFunction(['o', 'p'], fields)
}

/** True when the keys of `old` (without `skip`) and of `parsed` enumerate as the shape's. */
function matches(s: Shape, old: Body, parsed: Body, skip: string): boolean {
  const ok = s.old
  let i = 0
  for (const k in old) {
    if (k === skip) continue
    if (ok[i++] !== k) return false
  }
  if (i !== ok.length) return false
  const pk = s.parsed
  i = 0
  for (const k in parsed) if (pk[i++] !== k) return false
  return i === pk.length
}

/**
 * mergeGeneral(old, parsed, skip) with the same result, faster for repeated key shapes. `stats`
 * counts compiled shapes (for tests).
 */
// fast path: copying ~10 fields one by one into `{}` is a megamorphic keyed store per field (keys
// differ per shape) plus several regrowths of the property store; it cost more than JSON.parse of the
// message. A shape seen twice gets a generated object literal (one allocation, fields in the object,
// monomorphic loads); a hit moves its shape one place to the front, so frequent shapes are tried
// first. Objects are only compared by their key order.
export function shapeMerger(skip: string, stats?: { compiled: number }): (old: Body, parsed: Body) => Body {
  const shapes: Shape[] = []
  /** Shapes that missed once (newest last); one that misses again is compiled. */
  const candidates: Shape[] = []
  return (old, parsed) => {
    for (let i = 0; i < shapes.length; i++) {
      const s = shapes[i]!
      if (!matches(s, old, parsed, skip)) continue
      if (i > 0) {
        shapes[i] = shapes[i - 1]!
        shapes[i - 1] = s
      }
      return s.build!(old, parsed)
    }
    const s = shapeOf(old, parsed, skip)
    if (s !== undefined) {
      const seen = candidates.findIndex((c) => sameKeys(c.old, s.old) && sameKeys(c.parsed, s.parsed))
      if (seen >= 0) {
        candidates.splice(seen, 1)
        const build = compile(s)
        if (build === undefined) return mergeGeneral(old, parsed, skip)
        s.build = build
        if (stats) stats.compiled++
        if (shapes.length >= MAX_SHAPES) shapes.pop()
        shapes.push(s)
        return build(old, parsed)
      }
      if (candidates.length >= MAX_CANDIDATES) candidates.shift()
      candidates.push(s)
    }
    return mergeGeneral(old, parsed, skip)
  }
}
