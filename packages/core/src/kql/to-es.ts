// Compiles a KQL syntax tree to Elasticsearch Query DSL, as Kibana does without a data view
// (@kbn/es-query `toElasticsearchQuery`): each field clause wrapped in a one-clause
// `bool.should` with `minimum_should_match: 1`, `and` as `bool.filter`, `or` as `bool.should`,
// `not` as `bool.must_not`, free text as `multi_match` (`lenient: true`), wildcards as
// `query_string`, `field:*` as `exists`, nested queries as `nested` with `score_mode: none`.
// Unquoted numbers and true/false become JSON numbers and booleans, as Kibana's grammar makes them.
//
// Without a data view Kibana cannot expand a wildcard field name (`kubernetes.labels.*:web`); here it
// becomes a `multi_match` (or `query_string`, also for ranges) over that field pattern, which
// Elasticsearch expands.
// Pure: no I/O, no state.

import type { KqlField, KqlNode, KqlValue } from './ast.ts'

export type EsQuery = Record<string, unknown>

export function kqlToEs(ast: KqlNode): EsQuery {
  return compile(ast, '')
}

function compile(n: KqlNode, prefix: string): EsQuery {
  switch (n.type) {
    case 'all':
      return { match_all: {} }
    case 'and':
      return { bool: { filter: n.children.map((c) => compile(c, prefix)) } }
    case 'or':
      return { bool: { should: n.children.map((c) => compile(c, prefix)), minimum_should_match: 1 } }
    case 'not':
      return { bool: { must_not: compile(n.child, prefix) } }
    case 'exists':
      return should({ exists: { field: prefix + n.field.name } })
    case 'range':
      if (n.field.wildcard) {
        // `range` takes one concrete field; query_string's `>=x` syntax takes a field pattern.
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[n.op]
        return should({
          query_string: { fields: [prefix + n.field.name], query: `${op}${wildcardQueryString([n.value])}` },
        })
      }
      return should({ range: { [prefix + n.field.name]: { [n.op]: literalValue(n.value) } } })
    case 'nested': {
      const path = prefix + n.path
      return { nested: { path, query: compile(n.child, `${path}.`), score_mode: 'none' } }
    }
    case 'match':
      return n.field === null ? freeText(n.value) : fieldMatch(n.field, n.value, prefix)
  }
}

function should(q: EsQuery): EsQuery {
  return { bool: { should: [q], minimum_should_match: 1 } }
}

function freeText(v: KqlValue): EsQuery {
  if (v.kind === 'wildcard') return { query_string: { query: wildcardQueryString(v.parts) } }
  if (v.kind === 'phrase') return { multi_match: { type: 'phrase', query: v.text, lenient: true } }
  return { multi_match: { type: 'best_fields', query: literalValue(v.text), lenient: true } }
}

function fieldMatch(f: KqlField, v: KqlValue, prefix: string): EsQuery {
  const name = prefix + f.name
  if (v.kind === 'wildcard') return should({ query_string: { fields: [name], query: wildcardQueryString(v.parts) } })
  if (f.wildcard) {
    return should({
      multi_match: {
        type: v.kind === 'phrase' ? 'phrase' : 'best_fields',
        query: v.kind === 'phrase' ? v.text : literalValue(v.text),
        fields: [name],
        lenient: true,
      },
    })
  }
  if (v.kind === 'phrase') return should({ match_phrase: { [name]: v.text } })
  return should({ match: { [name]: literalValue(v.text) } })
}

const NUMBER = /^(-?[1-9]\d*(\.\d+)?|-?0(\.\d+)?|-?\.\d+)$/

/** Unquoted literals: numbers and booleans as JSON values (Kibana's grammar does the same). */
export function literalValue(text: string): string | number | boolean {
  if (text === 'true') return true
  if (text === 'false') return false
  if (NUMBER.test(text)) {
    const n = Number(text)
    // Keep digits that a double cannot hold exactly (long ids) as text.
    if (Number.isFinite(n) && (Number.isSafeInteger(n) || !/^-?\d+$/.test(text))) return n
  }
  return text
}

/** Lucene query_string syntax for wildcard parts: each part escaped, joined with `*`. */
export function wildcardQueryString(parts: readonly string[]): string {
  return parts.map((p) => p.replace(/[+\-=&|><!(){}[\]^"~*?:\\/\s]/g, '\\$&')).join('*')
}
