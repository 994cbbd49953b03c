// Kibana Query Language parser (grammar as Kibana's kuery.peg and its documentation describe it):
//
//   query      = orQuery?
//   orQuery    = andQuery ( OR andQuery )*            OR  = space+ "or"  space+   (any case)
//   andQuery   = notQuery ( AND notQuery )*           AND = space+ "and" space+
//   notQuery   = NOT* subQuery                        NOT = "not" space+ (or "not(")
//   subQuery   = "(" orQuery ")" | nested | expression
//   nested     = field ":" "{" orQuery "}"
//   expression = field rangeOp literal | field ":" listOfValues | value   (value alone: free text)
//   listOfValues = "(" orList ")" | value, with or/and/not inside as above
//   value      = quoted | unquoted, where unquoted may hold spaces (`hello world` is ONE value, as in
//                Kibana) and stops before a keyword or a special character ( \ ( ) : < > " * { } );
//                `*` is a wildcard; `\` escapes a special character, a keyword (`\or`), `\t` `\n` `\r`,
//                or `\uXXXX`. In quoted strings `\"` and `\\` are escapes, other backslashes are literal.
//
// One deliberate difference: Kibana treats `not ` inside a word (`cannot be`) as a keyword and fails;
// here keywords are whole words only. Limits (MAX_QUERY_LENGTH, MAX_DEPTH) turn pathological input
// into a clear error instead of a deep recursion.

import type { KqlField, KqlNode, KqlParseResult, KqlRangeOp, KqlValue } from './ast.ts'

export const MAX_QUERY_LENGTH = 16 * 1024
export const MAX_DEPTH = 64

class KqlSyntaxError extends Error {
  readonly position: number
  constructor(message: string, position: number) {
    super(message)
    this.position = position
  }
}

/** A literal as read: the parts between unescaped wildcards (one part: no wildcard). */
interface Literal {
  readonly parts: string[]
  readonly quoted: boolean
  readonly start: number
}

const SPECIAL = new Set(['\\', '(', ')', ':', '<', '>', '"', '*', '{', '}'])
const ESCAPABLE = new Set(['\\', '(', ')', ':', '<', '>', '"', '*', '{', '}'])

export function parseKql(text: string): KqlParseResult {
  if (text.length > MAX_QUERY_LENGTH) {
    return {
      error: {
        message: `query is too long: ${text.length} characters (the limit is ${MAX_QUERY_LENGTH})`,
        position: MAX_QUERY_LENGTH,
      },
    }
  }
  try {
    return { ast: new Parser(text).parseQuery() }
  } catch (err) {
    if (err instanceof KqlSyntaxError) return { error: { message: err.message, position: err.position } }
    throw err
  }
}

class Parser {
  private pos = 0
  private depth = 0
  private readonly s: string

  constructor(s: string) {
    this.s = s
  }

  parseQuery(): KqlNode {
    this.skipWs()
    if (this.pos >= this.s.length) return { type: 'all' }
    const node = this.parseOr()
    this.skipWs()
    if (this.pos < this.s.length) this.unexpected()
    return node
  }

  // --- boolean structure -------------------------------------------------------------------

  private parseOr(): KqlNode {
    const children = [this.parseAnd()]
    while (this.keyword('or')) children.push(this.parseAnd())
    return children.length === 1 ? children[0]! : { type: 'or', children }
  }

  private parseAnd(): KqlNode {
    const children = [this.parseNot()]
    while (this.keyword('and')) children.push(this.parseNot())
    return children.length === 1 ? children[0]! : { type: 'and', children }
  }

  private parseNot(): KqlNode {
    this.skipWs()
    if (this.notKeyword()) {
      const at = this.pos
      return this.deeper(at, () => ({ type: 'not', child: this.parseNot() }))
    }
    return this.parseSub()
  }

  private parseSub(): KqlNode {
    this.skipWs()
    const at = this.pos
    if (this.s[this.pos] === '(') {
      this.pos++
      return this.deeper(at, () => {
        const inner = this.parseOr()
        this.skipWs()
        this.expect(')', at, "unclosed '(': expected ')'")
        return inner
      })
    }
    return this.parseExpression()
  }

  private parseExpression(): KqlNode {
    this.skipWs()
    this.rejectKeywordHere()
    const lit = this.parseLiteral('a field name or a value')
    this.skipWs()
    const c = this.s[this.pos]
    if (c === ':') {
      const field = this.toField(lit)
      this.pos++
      this.skipWs()
      if (this.s[this.pos] === '{') {
        if (field.wildcard) throw new KqlSyntaxError('a nested query needs a field name without wildcards', lit.start)
        const at = this.pos
        this.pos++
        return this.deeper(at, () => {
          this.skipWs()
          if (this.s[this.pos] === '}')
            throw new KqlSyntaxError('empty nested query: expected a query inside { }', this.pos)
          const child = this.parseOr()
          this.skipWs()
          this.expect('}', at, "unclosed '{': expected '}'")
          return { type: 'nested', path: field.name, child }
        })
      }
      return this.parseValueList(field)
    }
    const op = this.rangeOp()
    if (op) {
      const field = this.toField(lit)
      this.skipWs()
      const vAt = this.pos
      if (this.pos >= this.s.length) throw new KqlSyntaxError(`expected a value after '${opText(op)}'`, this.pos)
      const v = this.parseLiteral('a value')
      if (v.parts.length > 1) throw new KqlSyntaxError('a range value cannot contain a wildcard', vAt)
      return { type: 'range', field, op, value: v.parts[0]! }
    }
    // Free text: search the default fields.
    if (!lit.quoted && lit.parts.length === 2 && lit.parts[0] === '' && lit.parts[1] === '') return { type: 'all' }
    return { type: 'match', field: null, value: toValue(lit) }
  }

  // --- field:(a or b and not c) ------------------------------------------------------------

  /** After `field:`: one value, or a parenthesized list where and/or/not combine values. */
  private parseValueList(field: KqlField): KqlNode {
    return this.s[this.pos] === '(' ? this.parseValueNot(field) : this.parseValue(field)
  }

  private parseValueOr(field: KqlField): KqlNode {
    const children = [this.parseValueAnd(field)]
    while (this.keyword('or')) children.push(this.parseValueAnd(field))
    return children.length === 1 ? children[0]! : { type: 'or', children }
  }

  private parseValueAnd(field: KqlField): KqlNode {
    const children = [this.parseValueNot(field)]
    while (this.keyword('and')) children.push(this.parseValueNot(field))
    return children.length === 1 ? children[0]! : { type: 'and', children }
  }

  private parseValueNot(field: KqlField): KqlNode {
    this.skipWs()
    if (this.notKeyword()) {
      const at = this.pos
      return this.deeper(at, () => ({ type: 'not', child: this.parseValueNot(field) }))
    }
    const at = this.pos
    if (this.s[this.pos] === '(') {
      this.pos++
      return this.deeper(at, () => {
        const inner = this.parseValueOr(field)
        this.skipWs()
        this.expect(')', at, "unclosed '(': expected ')'")
        return inner
      })
    }
    return this.parseValue(field)
  }

  private parseValue(field: KqlField): KqlNode {
    this.rejectKeywordHere()
    if (this.matchAt(NOT_AHEAD, this.pos)) {
      throw new KqlSyntaxError(
        `unexpected keyword 'not' after '${field.name}:': write not ${field.name}:value or ${field.name}:(not value)`,
        this.pos,
      )
    }
    if (this.pos >= this.s.length) throw new KqlSyntaxError(`expected a value for field '${field.name}'`, this.pos)
    const lit = this.parseLiteral(`a value for field '${field.name}'`)
    if (!lit.quoted && lit.parts.length === 2 && lit.parts[0] === '' && lit.parts[1] === '')
      return field.wildcard && field.name === '*' ? { type: 'all' } : { type: 'exists', field }
    return { type: 'match', field, value: toValue(lit) }
  }

  // --- lexical -----------------------------------------------------------------------------

  /** Reads a quoted or unquoted literal; an empty one is an error naming what was expected. */
  private parseLiteral(what: string): Literal {
    const start = this.pos
    if (this.s[this.pos] === '"') return this.parseQuoted()
    const parts: string[] = ['']
    let any = false
    const s = this.s
    while (this.pos < s.length) {
      const c = s[this.pos]!
      if (c === '\\') {
        parts[parts.length - 1] += this.parseEscape()
        any = true
        continue
      }
      if (c === '*') {
        parts.push('')
        this.pos++
        any = true
        continue
      }
      if (SPECIAL.has(c)) break
      if (isWs(c)) {
        // Whitespace belongs to the literal unless a keyword, a special character or the end follows.
        let j = this.pos
        while (j < s.length && isWs(s[j]!)) j++
        if (j >= s.length || (SPECIAL.has(s[j]!) && s[j] !== '\\' && s[j] !== '*') || this.keywordAt(j)) break
        parts[parts.length - 1] += s.slice(this.pos, j)
        this.pos = j
        continue
      }
      parts[parts.length - 1] += c
      this.pos++
      any = true
    }
    if (!any) {
      if (this.pos >= s.length) throw new KqlSyntaxError(`expected ${what}, found the end of the query`, this.pos)
      throw new KqlSyntaxError(`expected ${what}, found '${s[this.pos]}'`, this.pos)
    }
    return { parts, quoted: false, start }
  }

  private parseQuoted(): Literal {
    const start = this.pos
    const s = this.s
    this.pos++ // opening quote
    let out = ''
    while (this.pos < s.length) {
      const c = s[this.pos]!
      if (c === '"') {
        this.pos++
        return { parts: [out], quoted: true, start }
      }
      if (c === '\\' && this.pos + 1 < s.length) {
        const n = s[this.pos + 1]!
        if (n === '"' || n === '\\') {
          out += n
          this.pos += 2
          continue
        }
        const ws = WS_ESCAPES[n]
        if (ws !== undefined) {
          out += ws
          this.pos += 2
          continue
        }
        if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(Number.parseInt(s.slice(this.pos + 2, this.pos + 6), 16))
          this.pos += 6
          continue
        }
      }
      out += c
      this.pos++
    }
    throw new KqlSyntaxError('unterminated quoted string: expected a closing "', start)
  }

  /** An escape in an unquoted literal; returns the character(s) it stands for. */
  private parseEscape(): string {
    const s = this.s
    const at = this.pos
    const n = s[at + 1]
    if (n === undefined) throw new KqlSyntaxError("a '\\' at the end of the query escapes nothing", at)
    if (ESCAPABLE.has(n)) {
      this.pos += 2
      return n
    }
    // A keyword before `\n`: `\not` is the word, as Kibana's escapeKuery writes it.
    const kw = this.matchAt(ESCAPED_KEYWORD, at + 1)
    if (kw) {
      this.pos += 1 + kw[0].length
      return kw[0]
    }
    const ws = WS_ESCAPES[n]
    if (ws !== undefined) {
      this.pos += 2
      return ws
    }
    if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(at + 2, at + 6))) {
      this.pos += 6
      return String.fromCharCode(Number.parseInt(s.slice(at + 2, at + 6), 16))
    }
    throw new KqlSyntaxError(
      `invalid escape '\\${n}': a backslash escapes one of \\ ( ) : < > " * { }, a keyword (and, or, not), \\t, \\n, \\r or \\uXXXX`,
      at,
    )
  }

  /** Consumes ` or ` / ` and ` (whitespace, the word, then whitespace or a parenthesis). */
  private keyword(word: 'or' | 'and'): boolean {
    const s = this.s
    let j = this.pos
    while (j < s.length && isWs(s[j]!)) j++
    if (s.slice(j, j + word.length).toLowerCase() !== word) return false
    const after = s[j + word.length]
    if (after === undefined) {
      throw new KqlSyntaxError(`expected a query after '${s.slice(j, j + word.length)}'`, j + word.length)
    }
    if (!isWs(after) && after !== '(') return false
    if (j === this.pos && j > 0 && !isWs(s[j - 1]!) && s[j - 1] !== ')' && s[j - 1] !== '"' && s[j - 1] !== '}')
      return false
    this.pos = j + word.length
    return true
  }

  /** Consumes `not` followed by whitespace or `(`. */
  private notKeyword(): boolean {
    const s = this.s
    if (s.slice(this.pos, this.pos + 3).toLowerCase() !== 'not') return false
    const after = s[this.pos + 3]
    if (after === undefined) throw new KqlSyntaxError("expected a query after 'not'", this.pos + 3)
    if (!isWs(after) && after !== '(') return false
    this.pos += 3
    return true
  }

  /** Whether a keyword (`or`, `and` between spaces; `not` before a space) starts at j. */
  private keywordAt(j: number): boolean {
    const rest = this.s.slice(j, j + 4).toLowerCase()
    for (const w of ['or', 'and', 'not']) {
      if (!rest.startsWith(w)) continue
      const after = this.s[j + w.length]
      if (after === undefined || isWs(after) || after === '(') return true
    }
    return false
  }

  private rejectKeywordHere(): void {
    const m = this.matchAt(AND_OR_AHEAD, this.pos)
    if (m) {
      throw new KqlSyntaxError(
        `unexpected keyword '${m[1]}': expected a field or a value (quote it, "${m[1]}", or escape it, \\${m[1]}, to search for the word)`,
        this.pos,
      )
    }
  }

  private rangeOp(): KqlRangeOp | undefined {
    const s = this.s
    const two = s.slice(this.pos, this.pos + 2)
    if (two === '<=' || two === '>=') {
      this.pos += 2
      return two === '<=' ? 'lte' : 'gte'
    }
    const one = s[this.pos]
    if (one === '<' || one === '>') {
      this.pos++
      return one === '<' ? 'lt' : 'gt'
    }
    return undefined
  }

  private toField(lit: Literal): KqlField {
    const name = lit.parts.join('*')
    if (name.trim() === '') throw new KqlSyntaxError('empty field name', lit.start)
    return { name, wildcard: lit.parts.length > 1 }
  }

  private deeper<T>(at: number, fn: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      throw new KqlSyntaxError(`query nests too deeply: more than ${MAX_DEPTH} levels of parentheses, not or { }`, at)
    }
    try {
      return fn()
    } finally {
      this.depth--
    }
  }

  private expect(c: string, openedAt: number, message: string): void {
    if (this.s[this.pos] === c) {
      this.pos++
      return
    }
    if (this.pos >= this.s.length) throw new KqlSyntaxError(`${message} (opened at ${openedAt})`, this.pos)
    throw new KqlSyntaxError(`${message}, found '${this.s[this.pos]}' (opened at ${openedAt})`, this.pos)
  }

  private unexpected(): never {
    const c = this.s[this.pos]!
    if (c === ')') throw new KqlSyntaxError("unmatched ')'", this.pos)
    if (c === '}') throw new KqlSyntaxError("unmatched '}'", this.pos)
    const word = /^\S+/.exec(this.s.slice(this.pos))?.[0] ?? c
    throw new KqlSyntaxError(
      `expected 'and', 'or' or the end of the query, found '${word}' (quote a value that contains ${word.toLowerCase() === 'not' ? "the word 'not'" : 'special characters'})`,
      this.pos,
    )
  }

  /** A sticky regular expression matched at `at` without copying the rest of the query. */
  private matchAt(re: RegExp, at: number): RegExpExecArray | null {
    re.lastIndex = at
    return re.exec(this.s)
  }

  private skipWs(): void {
    while (this.pos < this.s.length && isWs(this.s[this.pos]!)) this.pos++
  }
}

const WS_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r' }
const NOT_AHEAD = /not(?=\s|\()/iy
const AND_OR_AHEAD = /(and|or)(?=\s|\(|$)/iy
const ESCAPED_KEYWORD = /(and|or|not)(?![A-Za-z0-9_])/iy

function isWs(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r'
}

function toValue(lit: Literal): KqlValue {
  if (lit.quoted) return { kind: 'phrase', text: lit.parts[0]! }
  if (lit.parts.length > 1) return { kind: 'wildcard', parts: lit.parts }
  return { kind: 'term', text: lit.parts[0]! }
}

function opText(op: KqlRangeOp): string {
  return { lt: '<', lte: '<=', gt: '>', gte: '>=' }[op]
}
