// Fluent Bit parsers are written for Onigmo with Ruby syntax (fluent-bit/src/flb_regex.c: ONIG_SYNTAX_RUBY,
// `/pattern/imx` wrapping). Most of them run unchanged as JavaScript RegExps; this module translates
// what differs and refuses, with a reason, what JavaScript cannot run:
//
// - `^`/`$` are line anchors in Ruby, for `\n` only: they become `(?<![^\n])`/`(?![^\n])`. `.` never
//   matches `\n` unless Ruby's `m` option (dot-all) is on, but does match `\r` (JS's `.` does not):
//   `.` becomes `[^\n]` or `[\s\S]`.
// - `\A`, `\z`, `\Z`, `\G`, `\h`, `\H`, `\R`, `\e`, `\a`, `\x{HHHH}`, POSIX brackets `[[:alpha:]]`, and
//   `\s`/`\S` (ASCII whitespace in Ruby, Unicode in JavaScript).
// - inline options `(?i)` / `(?m)` / `(?imx-imx:…)` (Ruby `m` = dot-all), scoped to the end of their
//   group as Onigmo does; `(?#…)` comments; the `x` (extended) option.
// - atomic groups `(?>…)` and possessive quantifiers `*+ ++ ?+`, emulated with a lookahead and a
//   back-reference (`(?=(?<a>…))\k<a>`), which behaves atomically in JS.
// - plain groups `(…)` do not capture when the pattern has named groups (Ruby's rule), so named
//   groups are numbered in order, and values are read by index (faster than `.groups`).

export interface TranslatedRegex {
  readonly regex: RegExp
  /** Named groups in pattern order, with their capture index in `regex`. */
  readonly names: readonly { name: string; index: number }[]
}

export type TranslateResult = TranslatedRegex | { error: string }

const POSIX: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  ascii: '\\x00-\\x7f',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\v\\f\\r',
  upper: 'A-Z',
  word: '\\w',
  xdigit: '0-9a-fA-F',
}

/** Splits Fluent Bit's `/pattern/options` form (flb_regex.c check_option/str_to_regex). */
export function splitRubyRegex(raw: string): { pattern: string; options: string } {
  const len = raw.length
  if (raw[0] !== '/') return { pattern: raw, options: '' }
  const last = raw.lastIndexOf('/')
  if (last > 0 && last < len - 1) {
    const opts = raw.slice(last + 1)
    if (/^[mixo]+$/.test(opts)) return { pattern: raw.slice(1, last), options: opts.replace(/o/g, '') }
  }
  if (len > 1 && raw[len - 1] === '/') return { pattern: raw.slice(1, len - 1), options: '' }
  return { pattern: raw, options: '' }
}

interface Scope {
  /** `)` text to emit when the group closes (extra closers for inline `(?i)` scopes). */
  close: string
  dotAll: boolean
  extended: boolean
  /** Output offset where this group's text starts (for possessive quantifiers after it). */
  start: number
  /** This group is atomic `(?>…)`: emulated when it closes. */
  atomic: boolean
}

/** Translates a Fluent Bit (Onigmo, Ruby syntax) regular expression into a JavaScript RegExp. */
export function translateRegex(raw: string): TranslateResult {
  const { pattern: p, options } = splitRubyRegex(raw)
  const fail = (why: string): { error: string } => ({ error: `cannot translate regex for JavaScript: ${why}` })
  const hasNamed = /\(\?<[A-Za-z_]|\(\?'[A-Za-z_]/.test(p)
  let ignoreCase = options.includes('i')
  let out = ''
  const names: { name: string; index: number }[] = []
  let captures = 0
  let atomCount = 0
  const stack: Scope[] = []
  let scope: Scope = {
    close: '',
    dotAll: options.includes('m'),
    extended: options.includes('x'),
    start: 0,
    atomic: false,
  }
  let lastAtom = -1 // output offset of the last quantifiable atom
  let i = 0

  const atomic = (inner: string) => {
    const n = `__sluice_atomic${atomCount++}`
    return `(?=(?<${n}>${inner}))\\k<${n}>`
  }

  while (i < p.length) {
    const c = p[i]!
    if (scope.extended) {
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++
        continue
      }
      if (c === '#') {
        while (i < p.length && p[i] !== '\n') i++
        continue
      }
    }
    if (c === '\\') {
      const e = p[i + 1]
      if (e === undefined) return fail('pattern ends with a lone backslash')
      lastAtom = out.length
      i += 2
      switch (e) {
        case 'A':
        case 'G':
          out += '(?<![\\s\\S])'
          lastAtom = -1
          break
        case 'z':
          out += '(?![\\s\\S])'
          lastAtom = -1
          break
        case 'Z':
          out += '(?=\\n?(?![\\s\\S]))'
          lastAtom = -1
          break
        case 'h':
          out += '[0-9a-fA-F]'
          break
        case 'H':
          out += '[^0-9a-fA-F]'
          break
        case 's':
          // Ruby's \s is ASCII whitespace; JavaScript's also matches U+00A0, U+FEFF, U+2028…
          out += '[\\t-\\r ]'
          break
        case 'S':
          out += '[^\\t-\\r ]'
          break
        case 'R':
          out += '(?:\\r\\n|[\\n\\v\\f\\r\\u0085\\u2028\\u2029])'
          break
        case 'e':
          out += '\\x1b'
          break
        case 'a':
          out += '\\x07'
          break
        case 'x': {
          if (p[i] === '{') {
            const end = p.indexOf('}', i)
            const hex = end > 0 ? p.slice(i + 1, end) : ''
            if (!/^[0-9a-fA-F]{1,4}$/.test(hex)) return fail(`'\\x{${hex}}' beyond U+FFFF is not supported`)
            out += `\\u${hex.padStart(4, '0')}`
            i = end + 1
          } else out += '\\x'
          break
        }
        case 'K':
          return fail("'\\K' (keep) has no JavaScript equivalent")
        case 'X':
          return fail("'\\X' (grapheme cluster) has no JavaScript equivalent")
        case 'g':
          return fail("subexpression calls '\\g<…>' have no JavaScript equivalent")
        case 'p':
        case 'P':
          return fail(`Unicode properties '\\${e}{…}' are not supported`)
        case 'k': {
          // \k<name> and \k'name' are both Ruby back-references by name.
          const m = /^<([^>]+)>|^'([^']+)'/.exec(p.slice(i))
          if (!m) return fail(`malformed back-reference at offset ${i - 2}`)
          out += `\\k<${m[1] ?? m[2]}>`
          i += m[0].length
          break
        }
        default:
          if (e >= '1' && e <= '9' && hasNamed)
            return fail('numbered back-references cannot be mixed with named groups')
          out += '\\' + e
      }
      continue
    }
    if (c === '[') {
      const r = translateClass(p, i)
      if ('error' in r) return fail(r.error)
      lastAtom = out.length
      out += r.text
      i = r.end
      continue
    }
    if (c === '.') {
      lastAtom = out.length
      out += scope.dotAll ? '[\\s\\S]' : '[^\\n]'
      i++
      continue
    }
    if (c === '(') {
      if (p[i + 1] !== '?') {
        stack.push(scope)
        scope = { ...scope, close: ')', start: out.length, atomic: false }
        if (hasNamed) out += '(?:'
        else {
          out += '('
          captures++
        }
        i++
        continue
      }
      const rest = p.slice(i + 2)
      let m: RegExpExecArray | null
      if ((m = /^<([A-Za-z_][A-Za-z0-9_]*)>|^'([A-Za-z_][A-Za-z0-9_]*)'/.exec(rest))) {
        const name = m[1] ?? m[2]!
        captures++
        names.push({ name, index: captures })
        stack.push(scope)
        scope = { ...scope, close: ')', start: out.length, atomic: false }
        out += `(?<${name}>`
        i += 2 + m[0].length
        continue
      }
      if (rest[0] === '<' && (rest[1] === '=' || rest[1] === '!')) {
        stack.push(scope)
        scope = { ...scope, close: ')', start: out.length, atomic: false }
        out += `(?<${rest[1]}`
        i += 4
        continue
      }
      if (rest[0] === '<') return fail(`invalid group name at offset ${i}`)
      if (rest[0] === ':' || rest[0] === '=' || rest[0] === '!') {
        stack.push(scope)
        scope = { ...scope, close: ')', start: out.length, atomic: false }
        out += `(?${rest[0]}`
        i += 3
        continue
      }
      if (rest[0] === '>') {
        stack.push(scope)
        scope = { ...scope, close: ')', start: out.length, atomic: true }
        out += '(?:'
        i += 3
        continue
      }
      if (rest[0] === '#') {
        const end = p.indexOf(')', i)
        if (end < 0) return fail('unterminated (?#…) comment')
        i = end + 1
        continue
      }
      if (rest[0] === '~') return fail("the absent operator '(?~…)' has no JavaScript equivalent")
      if ((m = /^([imx]*)(?:-([imx]*))?(:|\))/.exec(rest))) {
        const on = m[1] ?? ''
        const off = m[2] ?? ''
        const next: Scope = { ...scope }
        if (on.includes('m')) next.dotAll = true
        if (off.includes('m')) next.dotAll = false
        if (on.includes('x')) next.extended = true
        if (off.includes('x')) next.extended = false
        const jsOn = on.includes('i') ? 'i' : ''
        const jsOff = off.includes('i') ? 'i' : ''
        const mod = jsOn || jsOff ? `(?${jsOn}${jsOff ? `-${jsOff}` : ''}:` : '(?:'
        i += 2 + m[0].length
        if (m[3] === ':') {
          stack.push(scope)
          out += mod
          scope = { ...next, close: ')', start: out.length - mod.length, atomic: false }
        } else if (out.length === 0 && stack.length === 0 && jsOn && !jsOff) {
          // `(?i)` at the very start applies to the whole pattern: a flag.
          ignoreCase = true
          scope = { ...next }
        } else {
          // Isolated option: applies to the end of the enclosing group (Onigmo), alternatives included.
          out += mod
          scope = { ...next, close: ')' + scope.close, start: scope.start, atomic: scope.atomic }
        }
        continue
      }
      return fail(`unsupported group syntax '(?${rest.slice(0, 3)}' at offset ${i}`)
    }
    if (c === ')') {
      const closing = scope
      const outer = stack.pop()
      if (!outer) return fail(`unbalanced ')' at offset ${i}`)
      out += closing.close
      if (closing.atomic) out = out.slice(0, closing.start) + atomic(out.slice(closing.start))
      scope = outer
      lastAtom = closing.start
      i++
      continue
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      // Quantifier; a following `+` makes `*`, `+`, `?` possessive (not `{n,m}`, as in Ruby).
      let q = c
      let j = i + 1
      if (c === '{') {
        const m = /^\{\d*(?:,\d*)?\}/.exec(p.slice(i))
        if (!m || m[0] === '{}' || m[0] === '{,}') {
          out += '\\{'
          lastAtom = out.length - 2
          i++
          continue
        }
        q = m[0].startsWith('{,') ? `{0${m[0].slice(1)}` : m[0]
        j = i + m[0].length
      }
      if (lastAtom < 0) return fail(`quantifier '${q}' at offset ${i} has nothing to repeat`)
      if (c !== '{' && p[j] === '+') {
        const atom = out.slice(lastAtom)
        out = out.slice(0, lastAtom) + atomic(`(?:${atom})${q}`)
        j++
      } else if (p[j] === '?') {
        out += q + '?'
        j++
      } else out += q
      i = j
      continue
    }
    if (c === '|') {
      lastAtom = -1
      out += '|'
      i++
      continue
    }
    if (c === '^' || c === '$') {
      // Ruby anchors are line anchors for `\n` only (JS's `m` flag also splits at `\r`, U+2028/9).
      lastAtom = -1
      out += c === '^' ? '(?<![^\n])' : '(?![^\n])'
      i++
      continue
    }
    lastAtom = out.length
    out += c === '/' ? '\\/' : c
    i++
  }
  if (stack.length > 0) return fail("unbalanced parentheses (missing ')')")
  out += scope.close
  let regex: RegExp
  try {
    regex = new RegExp(out, ignoreCase ? 'i' : '')
  } catch (err) {
    return fail((err as Error).message)
  }
  // Atomic emulation adds named groups of its own: recount capture indices from the final source.
  return { regex, names: reindex(out, names) }
}

/** Capture index of each user-named group in the final JS source (internal atomic groups counted). */
function reindex(src: string, names: { name: string; index: number }[]): { name: string; index: number }[] {
  const wanted = new Set(names.map((n) => n.name))
  const out: { name: string; index: number }[] = []
  let count = 0
  let inClass = false
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (c === '\\') {
      i++
      continue
    }
    if (inClass) {
      if (c === ']') inClass = false
      continue
    }
    if (c === '[') {
      inClass = true
      continue
    }
    if (c !== '(') continue
    if (src[i + 1] !== '?') {
      count++
      continue
    }
    const m = /^\(\?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(src.slice(i, i + 80))
    if (m) {
      count++
      if (wanted.has(m[1]!)) out.push({ name: m[1]!, index: count })
    }
  }
  return out
}

/** Translates one character class starting at `[`; returns the JS text and the index after `]`. */
function translateClass(p: string, start: number): { text: string; end: number } | { error: string } {
  let i = start + 1
  let out = '['
  if (p[i] === '^') {
    out += '^'
    i++
  }
  // A `]` right after `[` or `[^` is a literal in Ruby (an empty class in JS).
  if (p[i] === ']') {
    out += '\\]'
    i++
  }
  while (i < p.length) {
    const c = p[i]!
    if (c === ']') return { text: out + ']', end: i + 1 }
    if (c === '\\') {
      const e = p[i + 1]
      if (e === 'h') out += '0-9a-fA-F'
      else if (e === 's') out += '\\t-\\r '
      else if (e === 'H' || e === 'R' || e === 'X' || e === 'p' || e === 'P')
        return { error: `'\\${e}' inside a character class is not supported` }
      else if (e === 'e') out += '\\x1b'
      else if (e === 'a') out += '\\x07'
      else out += '\\' + (e ?? '')
      i += 2
      continue
    }
    if (c === '[') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i))
      if (m) {
        const set = POSIX[m[2]!]
        if (!set) return { error: `unknown POSIX bracket '[:${m[2]}:]'` }
        if (m[1]) return { error: `negated POSIX bracket '[:^${m[2]}:]' is not supported` }
        out += set
        i += m[0].length
        continue
      }
      return { error: `nested character class at offset ${i} is not supported` }
    }
    if (c === '&' && p[i + 1] === '&')
      return { error: `character class intersection '&&' at offset ${i} is not supported` }
    out += c
    i++
  }
  return { error: `unterminated character class starting at offset ${start}` }
}
