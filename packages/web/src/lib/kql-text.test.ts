import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addFilter, completionContext, highlightTerms, quoteValue, tokenize } from './kql-text.ts'

test('tokenize: fields, strings, operators, ranges, parentheses', () => {
  const kinds = tokenize('a.b: "x y" and (c >= 5 or not d:*)')
    .filter((t) => t.kind !== 'space')
    .map((t) => `${t.kind}:${t.text}`)
  assert.deepEqual(kinds, [
    'word:a.b',
    'colon::',
    'string:"x y"',
    'op:and',
    'lparen:(',
    'word:c',
    'range:>=',
    'word:5',
    'op:or',
    'op:not',
    'word:d',
    'colon::',
    'word:*',
    'rparen:)',
  ])
})

test('tokenize: an unterminated string runs to the end without throwing', () => {
  assert.deepEqual(tokenize('msg: "abc').at(-1), { kind: 'string', text: '"abc', start: 5, end: 9 })
})

test('completionContext: field names at the start, after operators and parentheses', () => {
  assert.deepEqual(completionContext('kube', 4), { kind: 'field', prefix: 'kube', start: 0, end: 4 })
  assert.deepEqual(completionContext('a: 1 and lev', 12), { kind: 'field', prefix: 'lev', start: 9, end: 12 })
  assert.deepEqual(completionContext('(', 1), { kind: 'field', prefix: '', start: 1, end: 1 })
  // The replacement covers the rest of the word after the cursor.
  assert.deepEqual(completionContext('levxx: 1', 3), { kind: 'field', prefix: 'lev', start: 0, end: 5 })
})

test('completionContext: values after field colon, quoted or not', () => {
  assert.deepEqual(completionContext('level: ', 7), { kind: 'value', field: 'level', prefix: '', start: 7, end: 7 })
  assert.deepEqual(completionContext('level: er', 9), { kind: 'value', field: 'level', prefix: 'er', start: 7, end: 9 })
  assert.deepEqual(completionContext('ns:"sh', 6), { kind: 'value', field: 'ns', prefix: 'sh', start: 3, end: 6 })
})

test('completionContext: nothing to complete after a range operator or inside a free-text phrase', () => {
  assert.equal(completionContext('bytes > 1', 9), null)
  assert.equal(completionContext('"conn', 5), null)
})

test('quoteValue: plain words stay bare, everything else is quoted and escaped', () => {
  assert.equal(quoteValue('shop-pod-1'), 'shop-pod-1')
  assert.equal(quoteValue('10.0.0.1'), '10.0.0.1')
  assert.equal(quoteValue('two words'), '"two words"')
  assert.equal(quoteValue('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"')
  assert.equal(quoteValue('or'), '"or"')
  assert.equal(quoteValue(''), '""')
})

test('addFilter: appends and parenthesises a disjunction', () => {
  assert.equal(addFilter('', 'level', 'error', false), 'level: error')
  assert.equal(addFilter('timeout', 'level', 'error', true), 'timeout and not level: error')
  assert.equal(addFilter('a or b', 'ns', 'x y', false), '(a or b) and ns: "x y"')
})

test('highlightTerms: free text and values, not field names or operators', () => {
  assert.deepEqual(highlightTerms('level: error and "connection refused" or timeout* and not x >= 5'), [
    'connection refused',
    'timeout',
    'error',
  ])
  assert.deepEqual(highlightTerms('ns: *'), [])
  assert.deepEqual(highlightTerms(''), [])
})
