import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseKql } from './parse.ts'
import { type EsQuery, kqlToEs, literalValue, wildcardQueryString } from './to-es.ts'

function es(q: string): EsQuery {
  const r = parseKql(q)
  if ('error' in r) assert.fail(`'${q}' failed: ${r.error.message}`)
  return kqlToEs(r.ast)
}
const should = (q: EsQuery): EsQuery => ({ bool: { should: [q], minimum_should_match: 1 } })

// Expected values are what Kibana's toElasticsearchQuery produces for the same queries without a
// data view (as its KQL function tests document them), except where the header of to-es.ts says.
describe('kqlToEs', () => {
  const cases: [string, EsQuery][] = [
    ['', { match_all: {} }],
    ['*', { match_all: {} }],
    ['status:500', should({ match: { status: 500 } })],
    ['level:error', should({ match: { level: 'error' } })],
    ['ok:true', should({ match: { ok: true } })],
    ['bytes:-1.5', should({ match: { bytes: -1.5 } })],
    ['id:12345678901234567890', should({ match: { id: '12345678901234567890' } })],
    ['code:007', should({ match: { code: '007' } })],
    ['message:disk full', should({ match: { message: 'disk full' } })],
    ['message:"disk full"', should({ match_phrase: { message: 'disk full' } })],
    ['message:"500"', should({ match_phrase: { message: '500' } })],
    ['error', { multi_match: { type: 'best_fields', query: 'error', lenient: true } }],
    ['"disk full"', { multi_match: { type: 'phrase', query: 'disk full', lenient: true } }],
    ['err*', { query_string: { query: 'err*' } }],
    ['pod:web-*', should({ query_string: { fields: ['pod'], query: 'web\\-*' } })],
    ['path:C\\:\\\\dir*', should({ query_string: { fields: ['path'], query: 'C\\:\\\\dir*' } })],
    ['msg:hello wor*', should({ query_string: { fields: ['msg'], query: 'hello\\ wor*' } })],
    ['kubernetes.labels.app:*', should({ exists: { field: 'kubernetes.labels.app' } })],
    ['status >= 500', should({ range: { status: { gte: 500 } } })],
    ['status < 400', should({ range: { status: { lt: 400 } } })],
    ['@timestamp > now-15m', should({ range: { '@timestamp': { gt: 'now-15m' } } })],
    [
      'kubernetes.labels.*:web',
      should({ multi_match: { type: 'best_fields', query: 'web', fields: ['kubernetes.labels.*'], lenient: true } }),
    ],
    ['http.*.status >= 500', should({ query_string: { fields: ['http.*.status'], query: '>=500' } })],
    [
      'a and b',
      {
        bool: {
          filter: [
            { multi_match: { type: 'best_fields', query: 'a', lenient: true } },
            { multi_match: { type: 'best_fields', query: 'b', lenient: true } },
          ],
        },
      },
    ],
    [
      'level:error or level:warn',
      {
        bool: {
          should: [should({ match: { level: 'error' } }), should({ match: { level: 'warn' } })],
          minimum_should_match: 1,
        },
      },
    ],
    ['not level:debug', { bool: { must_not: should({ match: { level: 'debug' } }) } }],
    [
      'level:(error or warn) and not message:healthz',
      {
        bool: {
          filter: [
            {
              bool: {
                should: [should({ match: { level: 'error' } }), should({ match: { level: 'warn' } })],
                minimum_should_match: 1,
              },
            },
            { bool: { must_not: should({ match: { message: 'healthz' } }) } },
          ],
        },
      },
    ],
    [
      'items:{ name:a and qty > 1 }',
      {
        nested: {
          path: 'items',
          query: {
            bool: { filter: [should({ match: { 'items.name': 'a' } }), should({ range: { 'items.qty': { gt: 1 } } })] },
          },
          score_mode: 'none',
        },
      },
    ],
    [
      'a:{ b:{ c:x } }',
      {
        nested: {
          path: 'a',
          query: { nested: { path: 'a.b', query: should({ match: { 'a.b.c': 'x' } }), score_mode: 'none' } },
          score_mode: 'none',
        },
      },
    ],
  ]
  for (const [q, want] of cases) test(JSON.stringify(q), () => assert.deepEqual(es(q), want))

  test('literal values: numbers and booleans as Kibana types them, everything else as text', () => {
    const table: [string, unknown][] = [
      ['0', 0],
      ['10', 10],
      ['-3', -3],
      ['0.5', 0.5],
      ['.5', 0.5],
      ['1e3', '1e3'],
      ['01', '01'],
      ['true', true],
      ['True', 'True'],
      ['9007199254740993', '9007199254740993'],
      ['web-1', 'web-1'],
    ]
    for (const [text, want] of table) assert.equal(literalValue(text), want, text)
  })

  test('query_string escaping of wildcard parts', () => {
    assert.equal(wildcardQueryString(['a+b', 'c/d']), 'a\\+b*c\\/d')
    assert.equal(wildcardQueryString(['(x)', '[y]', '']), '\\(x\\)*\\[y\\]*')
    assert.equal(wildcardQueryString(['a*b', '']), 'a\\*b*')
  })
})
