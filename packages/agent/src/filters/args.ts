// Helpers shared by the record filters: splitting `KEY VALUE` option values the way Fluent Bit's
// flb_slist_split_tokens does (whitespace-separated, double quotes group words), and wildcards.

import { compileOnigmo } from '../multiline/regex.ts'

/**
 * Splits an option value into at most `max` tokens; the last token keeps the rest of the line
 * verbatim. Double-quoted tokens may contain spaces (`Set "my key" "a value"`).
 */
export function splitArgs(text: string, max: number): string[] {
  const out: string[] = []
  let i = 0
  const s = text.trim()
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++
    if (i >= s.length) break
    if (out.length === max - 1) {
      const rest = s.slice(i)
      out.push(rest.length >= 2 && rest[0] === '"' && rest.endsWith('"') ? rest.slice(1, -1) : rest)
      break
    }
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1)
      if (end === -1) throw new Error(`unterminated quote in '${text}'`)
      out.push(s.slice(i + 1, end))
      i = end + 1
    } else {
      let j = i
      while (j < s.length && !/\s/.test(s[j]!)) j++
      out.push(s.slice(i, j))
      i = j
    }
  }
  return out
}

/** Exactly `n` arguments or an error naming the option and the expected form. */
export function expectArgs(option: string, text: string, n: number, form: string): string[] {
  const parts = splitArgs(text, n)
  if (parts.length !== n) throw new Error(`cannot configure '${option} ${text}': expected ${form}`)
  return parts
}

/** `*` matches any run of characters (Fluent Bit documents prefix wildcards such as `kubernetes_*`). */
export function wildcard(pattern: string): (key: string) => boolean {
  const star = pattern.indexOf('*')
  if (star === -1) return (k) => k === pattern
  if (star === pattern.length - 1 && pattern.indexOf('*', star + 1) === -1) {
    const prefix = pattern.slice(0, -1)
    return (k) => k.startsWith(prefix) // fast path: the common `prefix*`
  }
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 's')
  return (k) => re.test(k)
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Compiles a user regex (Onigmo syntax, optionally `/…/`), naming the option on failure. */
export function regex(option: string, text: string): RegExp {
  try {
    return compileOnigmo(text)
  } catch (err) {
    throw new Error(`cannot configure '${option}': ${(err as Error).message}`)
  }
}

/** The text a value matches against: strings as they are, numbers and booleans as written in JSON. */
export function matchText(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return undefined
}

/**
 * Sets a key on a record. `__proto__` is a legal JSON key (JSON.parse makes it an own property);
 * plain assignment would change the object's prototype instead, so it is defined explicitly.
 */
export function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  else o[k] = v
}
