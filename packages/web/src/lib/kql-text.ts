// Small, forgiving KQL scanning for the UI: what the cursor is on (for autocompletion), which words to
// highlight in results, and how to add a filter. The server's parser is the authority on syntax; this
// never rejects input, it only looks at tokens. Grammar per Kibana's KQL (kuery.peggy): `field: value`,
// `field: "phrase"`, `field >= n`, `and`/`or`/`not`, parentheses, `*` wildcards.

export interface KqlToken {
  kind: 'word' | 'string' | 'op' | 'colon' | 'range' | 'lparen' | 'rparen' | 'space'
  text: string
  start: number
  end: number
}

const KEYWORDS = new Set(['and', 'or', 'not'])

export function tokenize(query: string): KqlToken[] {
  const out: KqlToken[] = []
  let i = 0
  while (i < query.length) {
    const c = query[i]!
    const start = i
    if (/\s/.test(c)) {
      while (i < query.length && /\s/.test(query[i]!)) i++
      out.push({ kind: 'space', text: query.slice(start, i), start, end: i })
    } else if (c === '"') {
      i++
      while (i < query.length && query[i] !== '"') i += query[i] === '\\' ? 2 : 1
      i = Math.min(i + 1, query.length)
      out.push({ kind: 'string', text: query.slice(start, i), start, end: i })
    } else if (c === ':') {
      i++
      out.push({ kind: 'colon', text: ':', start, end: i })
    } else if (c === '<' || c === '>') {
      i += query[i + 1] === '=' ? 2 : 1
      out.push({ kind: 'range', text: query.slice(start, i), start, end: i })
    } else if (c === '(' || c === ')') {
      i++
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, start, end: i })
    } else {
      while (i < query.length && !/[\s":<>()]/.test(query[i]!)) i += query[i] === '\\' ? 2 : 1
      i = Math.min(i, query.length)
      const text = query.slice(start, i)
      out.push({ kind: KEYWORDS.has(text.toLowerCase()) ? 'op' : 'word', text, start, end: i })
    }
  }
  return out
}

export type CompletionContext =
  | { kind: 'field'; prefix: string; start: number; end: number }
  | { kind: 'value'; field: string; prefix: string; start: number; end: number }

/**
 * What the word under the cursor is: a field name being typed, or a value after `field:`. The
 * replacement span is [start, end) in the query.
 */
export function completionContext(query: string, cursor: number): CompletionContext | null {
  const tokens = tokenize(query.slice(0, cursor))
  const last = tokens.at(-1)
  const significant = tokens.filter((t) => t.kind !== 'space')
  // The token being typed (if the cursor touches one) and the tokens before it.
  const typing = last && (last.kind === 'word' || last.kind === 'string') ? last : null
  const before = typing ? significant.slice(0, -1) : significant
  const prev = before.at(-1)
  const prevPrev = before.at(-2)
  // Extend the replacement over the rest of the word after the cursor.
  let end = cursor
  while (end < query.length && !/[\s":<>()]/.test(query[end]!)) end++
  if (prev?.kind === 'colon' && prevPrev?.kind === 'word') {
    const start = typing ? typing.start : cursor
    const prefix = typing ? typing.text.replace(/^"/, '').replace(/"$/, '') : ''
    if (typing?.kind === 'string') end = Math.max(end, typing.end)
    return { kind: 'value', field: prevPrev.text, prefix, start, end }
  }
  if (prev?.kind === 'range') return null
  if (typing?.kind === 'string') return null
  const start = typing ? typing.start : cursor
  return { kind: 'field', prefix: typing ? typing.text : '', start, end }
}

/** Quotes a value for KQL unless it is a plain word or number. */
export function quoteValue(value: string): string {
  if (/^[\w.@/-]+$/.test(value) && !KEYWORDS.has(value.toLowerCase())) return value
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/** Query with a field filter added (`negate` for "filter out"), keeping the user's query intact. */
export function addFilter(query: string, field: string, value: string, negate: boolean): string {
  const clause = `${negate ? 'not ' : ''}${field}: ${quoteValue(value)}`
  const q = query.trim()
  if (q === '') return clause
  // Parenthesise an existing query containing `or`, so the new clause applies to all of it.
  const needsParens = tokenize(q).some((t) => t.kind === 'op' && t.text.toLowerCase() === 'or')
  return `${needsParens ? `(${q})` : q} and ${clause}`
}

/**
 * Words to highlight in results: free-text terms and field values, without operators or field names.
 * Wildcards keep their literal prefix (`err*` highlights `err`).
 */
export function highlightTerms(query: string): string[] {
  const tokens = tokenize(query).filter((t) => t.kind !== 'space')
  const terms = new Set<string>()
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    const next = tokens[i + 1]
    if (t.kind === 'word' && (next?.kind === 'colon' || next?.kind === 'range')) continue
    if (tokens[i - 1]?.kind === 'range') continue
    let text = ''
    if (t.kind === 'string') text = t.text.replace(/^"/, '').replace(/"$/, '').replace(/\\(.)/g, '$1')
    else if (t.kind === 'word') text = t.text.replace(/\\(.)/g, '$1')
    const literal = text.split('*')[0]!.trim()
    if (literal.length > 0) terms.add(literal)
  }
  // Longest first so that "error" wins over "err" in the highlighter's alternation.
  return [...terms].sort((a, b) => b.length - a.length)
}
