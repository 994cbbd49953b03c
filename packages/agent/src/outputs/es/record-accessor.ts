// Fluent Bit record accessor syntax, as used by Logstash_Prefix_Key, Id_Key and Target_Index:
// `$key`, `$key['sub']['leaf']`, `$key[0]`, `$TAG`, `$TAG[1]` (tag split on dots), and templates
// mixing text and accessors (`logs-$kubernetes['namespace_name']`).
// (fluent-bit/src/flb_record_accessor.c; docs: administration/configuring-fluent-bit/classic-mode/record-accessor)

type Step = string | number
type Part = { text: string } | { tag: number | undefined } | { path: Step[] }

export interface Template {
  /** The rendered string, or undefined when an accessor finds nothing (or a non-scalar). */
  render(body: Record<string, unknown>, tag: string): string | undefined
}

const KEY_CHAR = /[A-Za-z0-9_\-.@/:]/

/** Parses `$a['b'][0]` at `at` (pointing at `$`). Returns the path and the index after it. */
function parseAccessor(src: string, at: number): { part: Part; end: number } {
  let i = at + 1
  let key = ''
  while (i < src.length && KEY_CHAR.test(src[i]!)) {
    // A dot ends the key in a template (`$a.b` is not accessor syntax), except inside brackets.
    if (src[i] === '.') break
    key += src[i++]
  }
  if (key === '') throw new Error(`cannot parse record accessor '${src}': expected a key name after '$' at ${at}`)
  const steps: Step[] = [key]
  while (src[i] === '[') {
    const close = src.indexOf(']', i)
    if (close < 0) throw new Error(`cannot parse record accessor '${src}': unclosed '[' at ${i}`)
    const inner = src.slice(i + 1, close).trim()
    const q = /^(['"])(.*)\1$/.exec(inner)
    if (q) steps.push(q[2]!)
    else if (/^\d+$/.test(inner)) steps.push(Number(inner))
    else throw new Error(`cannot parse record accessor '${src}': '[${inner}]' is neither a quoted key nor an index`)
    i = close + 1
  }
  if (key === 'TAG') {
    const n = steps[1]
    return { part: { tag: typeof n === 'number' ? n : undefined }, end: i }
  }
  return { part: { path: steps }, end: i }
}

/** Compiles a template; a string without `$` renders as itself. */
export function compileTemplate(src: string): Template {
  const parts: Part[] = []
  let text = ''
  for (let i = 0; i < src.length; ) {
    if (src[i] === '$' && i + 1 < src.length && KEY_CHAR.test(src[i + 1]!)) {
      if (text) parts.push({ text })
      text = ''
      const { part, end } = parseAccessor(src, i)
      parts.push(part)
      i = end
    } else {
      text += src[i++]
    }
  }
  if (text) parts.push({ text })
  return {
    render(body, tag) {
      let out = ''
      for (const p of parts) {
        if ('text' in p) out += p.text
        else if ('tag' in p) {
          if (p.tag === undefined) out += tag
          else {
            const piece = tag.split('.')[p.tag]
            if (piece === undefined) return undefined
            out += piece
          }
        } else {
          const v = lookup(body, p.path)
          if (v === undefined || v === null || typeof v === 'object') return undefined
          out += String(v)
        }
      }
      return out
    },
  }
}

/** Compiles a single accessor; a bare key (`namespace`) names a top-level key, as Fluent Bit reads it. */
export function compileAccessor(src: string): Template {
  if (src.startsWith('$')) return compileTemplate(src)
  return {
    render(body) {
      const v = body[src]
      return v === undefined || v === null || typeof v === 'object' ? undefined : String(v)
    },
  }
}

function lookup(body: unknown, path: readonly Step[]): unknown {
  let cur: unknown = body
  for (const s of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[s as string]
  }
  return cur
}
