// msgpack-c's msgpack_object_print, which Fluent Bit's stdout (default format) and file (csv, ltsv)
// outputs use: maps as `{"k"=>v, …}`, arrays as `[a, b]`, strings quoted without escaping, `nil`,
// integers as written, doubles with printf("%f").

import { printfF } from './numbers.ts'

export function msgpackPrint(v: unknown): string {
  if (v === null || v === undefined) return 'nil'
  switch (typeof v) {
    case 'string':
      return `"${v}"`
    case 'number':
      return Number.isInteger(v) ? String(v) : printfF(v)
    case 'bigint':
      return String(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'object': {
      if (Array.isArray(v)) return `[${v.map(msgpackPrint).join(', ')}]`
      if (v instanceof Uint8Array) return `"${Buffer.from(v).toString('latin1')}"`
      const parts: string[] = []
      for (const k in v as Record<string, unknown>)
        parts.push(`"${k}"=>${msgpackPrint((v as Record<string, unknown>)[k])}`)
      return `{${parts.join(', ')}}`
    }
    default:
      return String(v)
  }
}
