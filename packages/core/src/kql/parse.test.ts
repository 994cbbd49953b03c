import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { KqlNode, KqlValue } from './ast.ts'
import { MAX_DEPTH, MAX_QUERY_LENGTH, parseKql } from './parse.ts'

/** A compact rendering of the tree, so that the tables below stay readable. */
function show(n: KqlNode): string {
  switch (n.type) {
    case 'all':
      return 'ALL'
    case 'and':
    case 'or':
      return `(${n.type} ${n.children.map(show).join(' ')})`
    case 'not':
      return `(not ${show(n.child)})`
    case 'exists':
      return `exists(${n.field.name}${n.field.wildcard ? '~' : ''})`
    case 'range':
      return `${n.field.name} ${n.op} [${n.value}]`
    case 'nested':
      return `${n.path}:{${show(n.child)}}`
    case 'match':
      return `${n.field === null ? '_' : `${n.field.name}${n.field.wildcard ? '~' : ''}`}:${value(n.value)}`
  }
}
function value(v: KqlValue): string {
  if (v.kind === 'term') return `[${v.text}]`
  if (v.kind === 'phrase') return `"${v.text}"`
  return `w[${v.parts.join('|')}]`
}

function ok(q: string): string {
  const r = parseKql(q)
  if ('error' in r) assert.fail(`'${q}' failed: ${r.error.message} at ${r.error.position}`)
  return show(r.ast)
}

describe('parseKql: valid queries', () => {
  const cases: [string, string][] = [
    // fields and values
    ['status:500', 'status:[500]'],
    ['  status : 500  ', 'status:[500]'],
    ['kubernetes.labels.app:web', 'kubernetes.labels.app:[web]'],
    ['message:"disk full"', 'message:"disk full"'],
    ['message:disk full', 'message:[disk full]'],
    ['"quoted field":x', 'quoted field:[x]'],
    // free text
    ['error', '_:[error]'],
    ['disk full', '_:[disk full]'],
    ['"disk full"', '_:"disk full"'],
    ['cannot run', '_:[cannot run]'],
    ['', 'ALL'],
    ['   ', 'ALL'],
    ['*', 'ALL'],
    ['*:*', 'ALL'],
    // wildcards
    ['pod:web-*', 'pod:w[web-|]'],
    ['pod:*web*', 'pod:w[|web|]'],
    ['pod:a*b*c', 'pod:w[a|b|c]'],
    ['err*', '_:w[err|]'],
    ['kubernetes.labels.*:web', 'kubernetes.labels.*~:[web]'],
    ['message:"a*b"', 'message:"a*b"'],
    // exists
    ['kubernetes.labels.app:*', 'exists(kubernetes.labels.app)'],
    ['labels.*:*', 'exists(labels.*~)'],
    // ranges
    ['status >= 500', 'status gte [500]'],
    ['status>=500', 'status gte [500]'],
    ['status < 400', 'status lt [400]'],
    ['status <= 400', 'status lte [400]'],
    ['bytes > 1.5', 'bytes gt [1.5]'],
    ['@timestamp < "2024-01-01T00:00:00Z"', '@timestamp lt [2024-01-01T00:00:00Z]'],
    ['@timestamp >= now-15m', '@timestamp gte [now-15m]'],
    // boolean operators, any case, KQL precedence: not > and > or
    ['a and b', '(and _:[a] _:[b])'],
    ['a AND b And c', '(and _:[a] _:[b] _:[c])'],
    ['a or b', '(or _:[a] _:[b])'],
    ['a or b and c', '(or _:[a] (and _:[b] _:[c]))'],
    ['a and b or c', '(or (and _:[a] _:[b]) _:[c])'],
    ['not a and b', '(and (not _:[a]) _:[b])'],
    ['not a or b', '(or (not _:[a]) _:[b])'],
    ['NOT (a OR b)', '(not (or _:[a] _:[b]))'],
    ['not not a', '(not (not _:[a]))'],
    ['(a or b) and c', '(and (or _:[a] _:[b]) _:[c])'],
    ['a and (b or c)', '(and _:[a] (or _:[b] _:[c]))'],
    ['((a))', '_:[a]'],
    ['(a)or(b)', '(or _:[a] _:[b])'],
    ['level:error or not level:info', '(or level:[error] (not level:[info]))'],
    ['message:hello world and level:error', '(and message:[hello world] level:[error])'],
    [
      'kubernetes.namespace_name:prod and not message:healthz',
      '(and kubernetes.namespace_name:[prod] (not message:[healthz]))',
    ],
    // value lists
    ['level:(error or warn)', '(or level:[error] level:[warn])'],
    ['level:(error or warn and fatal)', '(or level:[error] (and level:[warn] level:[fatal]))'],
    ['tags:(a and not b)', '(and tags:[a] (not tags:[b]))'],
    ['level:(not debug)', '(not level:[debug])'],
    ['level:("a b" or c*)', '(or level:"a b" level:w[c|])'],
    ['level:(a or (b and c))', '(or level:[a] (and level:[b] level:[c]))'],
    // nested
    ['items:{ name:a and qty > 1 }', 'items:{(and name:[a] qty gt [1])}'],
    ['a:{ b:{ c:x } }', 'a:{b:{c:[x]}}'],
    // keywords as field names and inside words
    ['and:1', 'and:[1]'],
    ['not:1', 'not:[1]'],
    ['orange or android', '(or _:[orange] _:[android])'],
    ['nothing', '_:[nothing]'],
  ]
  for (const [q, want] of cases) test(`${JSON.stringify(q)} → ${want}`, () => assert.equal(ok(q), want))
})

describe('parseKql: escaping', () => {
  const cases: [string, string][] = [
    ['a\\:b', '_:[a:b]'],
    ['url:http\\://x', 'url:[http://x]'],
    ['path:C\\\\Windows', 'path:[C\\Windows]'],
    ['f:\\(x\\)', 'f:[(x)]'],
    ['f:a\\*b', 'f:[a*b]'],
    ['f:a\\*b*', 'f:w[a*b|]'],
    ['f:\\"x\\"', 'f:["x"]'],
    ['f:\\<\\>\\{\\}', 'f:[<>{}]'],
    ['f:a\\tb', 'f:[a\tb]'],
    ['f:\\u00e9t\\u00e9', 'f:[été]'],
    ['f:\\or', 'f:[or]'],
    ['x \\and y', '_:[x and y]'],
    ['\\not a', '_:[not a]'],
    ['f:"say \\"hi\\""', 'f:"say "hi""'],
    ['f:"back\\\\slash"', 'f:"back\\slash"'],
    ['f:"a\\*b"', 'f:"a\\*b"'],
    ['f:"tab\\there"', 'f:"tab\there"'],
    ['"a or b"', '_:"a or b"'],
  ]
  for (const [q, want] of cases) test(`${JSON.stringify(q)} → ${JSON.stringify(want)}`, () => assert.equal(ok(q), want))
})

describe('parseKql: errors say what and where', () => {
  const cases: [string, RegExp, number][] = [
    ['a or', /^expected a query after 'or'$/, 4],
    ['a and ', /^expected a field name or a value, found the end of the query$/, 6],
    ['not', /^expected a query after 'not'$/, 3],
    [
      'and',
      /^unexpected keyword 'and': expected a field or a value \(quote it, "and", or escape it, \\and, to search for the word\)$/,
      0,
    ],
    ['a or or b', /^unexpected keyword 'or'/, 5],
    ['(a', /^unclosed '\(': expected '\)' \(opened at 0\)$/, 2],
    ['(a or b', /^unclosed '\('/, 7],
    ['a)', /^unmatched '\)'$/, 1],
    ['a}', /^unmatched '}'$/, 1],
    ['x:', /^expected a value for field 'x'$/, 2],
    ['x:()', /^expected a value for field 'x', found '\)'$/, 3],
    ['x:(a or b', /^unclosed '\('/, 9],
    [':x', /^expected a field name or a value, found ':'$/, 0],
    ['x:"unterminated', /^unterminated quoted string: expected a closing "$/, 2],
    ['foo\\q', /^invalid escape '\\q'/, 3],
    ['foo\\', /^a '\\' at the end of the query escapes nothing$/, 3],
    ['status >=', /^expected a value after '>='$/, 9],
    ['status > 5*', /^a range value cannot contain a wildcard$/, 9],
    [
      'this is not good',
      /^expected 'and', 'or' or the end of the query, found 'not' \(quote a value that contains the word 'not'\)$/,
      8,
    ],
    ['a:b c:d', /^expected 'and', 'or' or the end of the query, found ':d'/, 5],
    ['x:not a', /^unexpected keyword 'not' after 'x:': write not x:value or x:\(not value\)$/, 2],
    ['items:{ }', /^empty nested query/, 8],
    ['items:{ a:b', /^unclosed '{'/, 11],
    ['lab*:{ a:b }', /^a nested query needs a field name without wildcards$/, 0],
  ]
  for (const [q, re, pos] of cases) {
    test(`${JSON.stringify(q)} fails at ${pos}`, () => {
      const r = parseKql(q)
      assert.ok('error' in r, `expected an error for ${q}`)
      assert.match(r.error.message, re)
      assert.equal(r.error.position, pos)
    })
  }

  test('a query longer than the limit is refused with its length', () => {
    const r = parseKql('a'.repeat(MAX_QUERY_LENGTH + 1))
    assert.ok('error' in r)
    assert.equal(
      r.error.message,
      `query is too long: ${MAX_QUERY_LENGTH + 1} characters (the limit is ${MAX_QUERY_LENGTH})`,
    )
  })

  test('nesting deeper than the limit is refused where it goes too deep, not with a stack overflow', () => {
    const deep = `${'('.repeat(MAX_DEPTH + 1)}a${')'.repeat(MAX_DEPTH + 1)}`
    const r = parseKql(deep)
    assert.ok('error' in r)
    assert.match(r.error.message, new RegExp(`^query nests too deeply: more than ${MAX_DEPTH} levels`))
    assert.equal(r.error.position, MAX_DEPTH)
    assert.ok('ast' in parseKql(`${'('.repeat(MAX_DEPTH)}a${')'.repeat(MAX_DEPTH)}`))
    const nots = parseKql(`${'not '.repeat(MAX_DEPTH + 1)}a`)
    assert.ok('error' in nots)
    const huge = parseKql('('.repeat(MAX_QUERY_LENGTH - 1))
    assert.ok('error' in huge)
  })
})

describe('docs/kql.md stays true', () => {
  test('every row of its error table is what parseKql answers', async () => {
    const { readFile } = await import('node:fs/promises')
    const { fileURLToPath } = await import('node:url')
    const doc = await readFile(fileURLToPath(new URL('../../../../docs/kql.md', import.meta.url)), 'utf8')
    const section = doc.slice(doc.indexOf('## Errors'), doc.indexOf('Limits:'))
    const rows = [...section.matchAll(/^\| `([^`]+)` \| (.+) \| (\d+) \|$/gm)]
    assert.ok(rows.length >= 5, 'the table is found')
    for (const [, query, reason, position] of rows) {
      const r = parseKql(query!)
      assert.ok('error' in r, query)
      const prefix = reason!.replace(/ …$/, '').replace(/: …$/, ':')
      assert.ok(r.error.message.startsWith(prefix), `${query}: ${r.error.message} vs ${reason}`)
      assert.equal(r.error.position, Number(position), query)
    }
  })
})
