// The `Types` option of a [PARSER]: `key:integer key2:bool …` (fluent-bit/src/flb_parser.c,
// proc_types_str and flb_parser_typecast). Casting follows C's atoll/atof/strtoull: a value that does
// not start with a number becomes 0, not an error; only `bool` falls back to the string (with a warning
// in Fluent Bit), when the value starts with neither `true` nor `false`.

export type FieldType = 'string' | 'integer' | 'float' | 'bool' | 'hex'
export type TypeMap = ReadonlyMap<string, FieldType>

const KNOWN = new Set<FieldType>(['string', 'integer', 'float', 'bool', 'hex'])

/** Parses a Types value; unknown type names become errors (Fluent Bit silently keeps them strings). */
export function parseTypes(text: string): { types: Map<string, FieldType>; errors: string[] } {
  const types = new Map<string, FieldType>()
  const errors: string[] = []
  for (const item of text.trim().split(/\s+/)) {
    if (!item) continue
    const colon = item.indexOf(':')
    if (colon <= 0) {
      errors.push(`'${item}' is not key:type`)
      continue
    }
    const key = item.slice(0, colon)
    const type = item.slice(colon + 1).toLowerCase()
    if (!KNOWN.has(type as FieldType)) {
      errors.push(`unknown type '${item.slice(colon + 1)}' for '${key}' (use integer, float, bool, string or hex)`)
      types.set(key, 'string')
      continue
    }
    types.set(key, type as FieldType)
  }
  return { types, errors }
}

/** C atoll: optional whitespace and sign, then digits; anything else stops; nothing read is 0. */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s)
  return m ? Number(m[1]) : 0
}

function atof(s: string): number {
  const m = /^\s*([+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))/i.exec(s)
  if (!m) return 0
  const t = m[1]!.toLowerCase().replace(/^\+/, '')
  if (t.endsWith('nan')) return Number.NaN
  if (t.includes('inf')) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  return Number(m[1])
}

/** Casts one parsed value (always a string from a text parser) to its declared type. */
export function castValue(type: FieldType, value: string): unknown {
  switch (type) {
    case 'integer':
      return atoll(value)
    case 'float':
      return atof(value)
    case 'hex': {
      const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(value)
      return m ? Number.parseInt(m[1]!, 16) : 0
    }
    case 'bool': {
      const l = value.toLowerCase()
      if (l.startsWith('true')) return true
      if (l.startsWith('false')) return false
      return value
    }
    default:
      return value
  }
}
