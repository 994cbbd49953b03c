// Fluent Bit's record accessor (src/record_accessor, flb_record_accessor.c): a path into a record
// written `$key`, `$key['sub']['sub2']`, `$key[0]`. Key names follow its lexer: a name starts with
// a letter or `_` and may contain letters, digits, `_` and `.` (`$log.level` is the top-level key
// `log.level`); anything else goes in quotes: `$kubernetes['labels']['app.kubernetes.io/name']`
// (a quote inside quotes is doubled: `'it''s'`).
//
// Templates (rewrite_tag's NEW_TAG, es Logstash_Prefix_Key) mix literal text with accessors,
// `$TAG`, `$TAG[n]` (the tag split on dots) and `$0`…`$9` (regex captures).

export type PathPart = string | number

export interface RecordAccessor {
  /** The text as written. */
  readonly source: string
  readonly path: readonly PathPart[]
  /** The value at the path, or undefined when any step is missing or of the wrong kind. */
  get(record: unknown): unknown
  /** Sets the value, creating maps on the way; false when a step exists and is not a map/array. */
  set(record: Record<string, unknown>, value: unknown): boolean
  /** Removes the value; true when something was removed. */
  remove(record: Record<string, unknown>): boolean
}

const IDENT = /[_A-Za-z][A-Za-z0-9_.]*/y

/** Parses the subscripts after a key, from `pos`; returns the parts and where parsing stopped. */
function parseSubscripts(text: string, pos: number, out: PathPart[]): number {
  let i = pos
  while (text[i] === '[') {
    const q = text[i + 1]
    if (q === "'" || q === '"') {
      let j = i + 2
      let s = ''
      for (;;) {
        if (j >= text.length) throw new Error(`cannot parse record accessor '${text}': unterminated quote at ${i + 1}`)
        if (text[j] === q) {
          if (text[j + 1] === q) {
            s += q
            j += 2
            continue
          }
          break
        }
        s += text[j]
        j++
      }
      if (text[j + 1] !== ']') throw new Error(`cannot parse record accessor '${text}': expected ']' at ${j + 1}`)
      out.push(s)
      i = j + 2
    } else {
      const m = /^(\d+)\]/.exec(text.slice(i + 1))
      if (!m) throw new Error(`cannot parse record accessor '${text}': expected a quoted key or an index at ${i + 1}`)
      out.push(Number(m[1]))
      i += m[0].length + 1
    }
  }
  return i
}

function getPath(record: unknown, path: readonly PathPart[]): unknown {
  let cur = record
  for (const p of path) {
    if (typeof p === 'number') {
      if (!Array.isArray(cur)) return undefined
      cur = cur[p]
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined
      if (!Object.hasOwn(cur, p)) return undefined
      cur = (cur as Record<string, unknown>)[p]
    }
  }
  return cur
}

function makeAccessor(source: string, path: readonly PathPart[]): RecordAccessor {
  const first = path[0] as string
  // fast path: `$key` reads one own property
  if (path.length === 1) {
    return {
      source,
      path,
      get: (r) =>
        r !== null && typeof r === 'object' && Object.hasOwn(r, first)
          ? (r as Record<string, unknown>)[first]
          : undefined,
      set(r, v) {
        r[first] = v
        return true
      },
      remove(r) {
        if (!Object.hasOwn(r, first)) return false
        delete r[first]
        return true
      },
    }
  }
  return {
    source,
    path,
    get: (r) => getPath(r, path),
    set(r, v) {
      let cur: unknown = r
      for (let i = 0; i < path.length - 1; i++) {
        const p = path[i]!
        const container = cur as Record<string | number, unknown>
        let next = Array.isArray(cur) || typeof p !== 'number' ? container[p] : undefined
        if (next === undefined) {
          if (typeof p === 'number' && !Array.isArray(cur)) return false
          next = typeof path[i + 1] === 'number' ? [] : {}
          container[p] = next
        }
        if (next === null || typeof next !== 'object') return false
        if (typeof path[i + 1] === 'string' && Array.isArray(next)) return false
        cur = next
      }
      const last = path[path.length - 1]!
      if (typeof last === 'number' && !Array.isArray(cur)) return false
      ;(cur as Record<string | number, unknown>)[last] = v
      return true
    },
    remove(r) {
      const parent = getPath(r, path.slice(0, -1))
      const last = path[path.length - 1]!
      if (typeof last === 'number') {
        if (!Array.isArray(parent) || last >= parent.length) return false
        parent.splice(last, 1)
        return true
      }
      if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return false
      if (!Object.hasOwn(parent, last)) return false
      delete (parent as Record<string, unknown>)[last]
      return true
    },
  }
}

/**
 * Parses a record accessor. Accepts `$key…` and, as Fluent Bit's filters do for plain key options,
 * a bare key without `$` (taken literally as one top-level key). Throws `cannot parse record
 * accessor '<text>': <why>`.
 */
export function parseRecordAccessor(text: string): RecordAccessor {
  const t = text.trim()
  if (!t.startsWith('$')) {
    if (t === '') throw new Error('cannot parse record accessor: empty key')
    return makeAccessor(t, [t])
  }
  const path: PathPart[] = []
  let i = 1
  if (t[1] === "'" || t[1] === '"') {
    // `$'key with spaces'` is not Fluent Bit syntax; `$['k']` is not either. Keep the error precise.
    throw new Error(`cannot parse record accessor '${t}': a key name must follow '$'`)
  }
  IDENT.lastIndex = 1
  const m = IDENT.exec(t)
  if (!m) throw new Error(`cannot parse record accessor '${t}': a key name must follow '$'`)
  path.push(m[0])
  i = parseSubscripts(t, 1 + m[0].length, path)
  if (i !== t.length) throw new Error(`cannot parse record accessor '${t}': unexpected '${t.slice(i)}'`)
  return makeAccessor(t, path)
}

/** True when the text is a record accessor pattern (starts with `$`). */
export function isRecordAccessor(text: string): boolean {
  return text.trim().startsWith('$')
}

type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'key'; ra: RecordAccessor }
  | { kind: 'tag'; index?: number }
  | { kind: 'group'; index: number }

export interface TemplateContext {
  readonly tag?: string
  /** Regex captures: `$0` is the whole match, `$1`… the groups. */
  readonly groups?: readonly (string | undefined)[]
}

export interface RecordTemplate {
  readonly source: string
  /** Record accessors used by the template. */
  readonly keys: readonly RecordAccessor[]
  /** Renders; a missing key renders as the empty string and sets `missing`. */
  render(record: unknown, ctx?: TemplateContext): { text: string; missing: boolean }
}

function stringify(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  return undefined // maps and arrays do not render into text, as in Fluent Bit
}

/** Parses a template such as `logs.$kubernetes['namespace_name'].$TAG[1]` or `app.$1`. */
export function parseTemplate(text: string): RecordTemplate {
  const parts: TemplatePart[] = []
  let lit = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c !== '$') {
      lit += c
      i++
      continue
    }
    const rest = text.slice(i + 1)
    const tag = /^TAG(?:\[(\d+)\])?(?![A-Za-z0-9_])/.exec(rest)
    const group = /^(\d)/.exec(rest)
    IDENT.lastIndex = i + 1
    const ident = IDENT.exec(text)
    if (lit) parts.push({ kind: 'text', text: lit })
    lit = ''
    if (tag) {
      parts.push({ kind: 'tag', index: tag[1] === undefined ? undefined : Number(tag[1]) })
      i += 1 + tag[0].length
    } else if (group) {
      parts.push({ kind: 'group', index: Number(group[1]) })
      i += 2
    } else if (ident) {
      // A name cannot end with '.': `$a.$b` is the key `a`, then '.'.
      const name = ident[0].replace(/\.+$/, '')
      const path: PathPart[] = [name]
      const end = parseSubscripts(text, i + 1 + name.length, path)
      parts.push({ kind: 'key', ra: makeAccessor(text.slice(i, end), path) })
      i = end
    } else {
      lit += '$'
      i++
    }
  }
  if (lit) parts.push({ kind: 'text', text: lit })
  const keys = parts.flatMap((p) => (p.kind === 'key' ? [p.ra] : []))
  return {
    source: text,
    keys,
    render(record, ctx) {
      let out = ''
      let missing = false
      for (const p of parts) {
        if (p.kind === 'text') out += p.text
        else if (p.kind === 'key') {
          const s = stringify(p.ra.get(record))
          if (s === undefined) missing = true
          else out += s
        } else if (p.kind === 'tag') {
          const tag = ctx?.tag ?? ''
          if (p.index === undefined) out += tag
          else {
            const s = tag.split('.')[p.index]
            if (s === undefined) missing = true
            else out += s
          }
        } else {
          const s = ctx?.groups?.[p.index]
          if (s === undefined) missing = true
          else out += s
        }
      }
      return { text: out, missing }
    },
  }
}
