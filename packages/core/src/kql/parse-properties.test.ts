// Properties of parseKql over generated input: it never throws, and printing any tree with the
// documented escaping rules parses back to the same tree.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { KqlField, KqlNode, KqlValue } from './ast.ts'
import { parseKql } from './parse.ts'

test('parseKql never throws: any text gives a tree or an error with a position inside the text', () => {
  const alphabet = fc.constantFrom(...'ab:*"\\(){}<>= \t\n'.split(''), 'and ', ' or ', 'not ', 'x', '>=', '\\u00e9')
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
      const q = parts.join('')
      const r = parseKql(q)
      if ('error' in r) {
        assert.ok(r.error.position >= 0 && r.error.position <= q.length, `${q}: ${r.error.position}`)
        assert.ok(r.error.message.length > 0)
      }
    }),
    { numRuns: 2000 },
  )
})

// A printer that follows docs/kql.md: unquoted text escapes \ ( ) : < > " * { } and keywords; phrases
// escape " and \. Parenthesizes every operator so that the tree shape is explicit.
const SPECIAL = /[\\():<>"*{}]/g
function escapeWord(text: string): string {
  return text.replace(SPECIAL, '\\$&').replace(/\b(and|or|not)\b/gi, '\\$1')
}
function printField(f: KqlField): string {
  return f.wildcard ? f.name.split('*').map(escapeWord).join('*') : escapeWord(f.name)
}
function printValue(v: KqlValue): string {
  if (v.kind === 'phrase') return `"${v.text.replace(/[\\"]/g, '\\$&')}"`
  if (v.kind === 'term') return escapeWord(v.text)
  return v.parts.map(escapeWord).join('*')
}
function print(n: KqlNode): string {
  switch (n.type) {
    case 'all':
      return '*'
    case 'and':
    case 'or':
      return `(${n.children.map(print).join(` ${n.type} `)})`
    case 'not':
      return `not (${print(n.child)})`
    case 'exists':
      return `${printField(n.field)}:*`
    case 'range':
      return `${printField(n.field)} ${{ lt: '<', lte: '<=', gt: '>', gte: '>=' }[n.op]} ${escapeWord(n.value)}`
    case 'nested':
      return `${escapeWord(n.path)}:{ ${print(n.child)} }`
    case 'match':
      return n.field === null ? printValue(n.value) : `${printField(n.field)}:${printValue(n.value)}`
  }
}

// Words as users write them: letters, digits, punctuation, specials and keywords, single spaces
// inside (leading/trailing spaces are not part of an unquoted value).
const word = fc
  .array(
    fc.constantFrom('a', 'b', 'Z', '1', '.', '-', '_', '/', '@', ':', '(', '"', '\\', '{', 'é', 'or', 'not', 'and'),
    {
      minLength: 1,
      maxLength: 6,
    },
  )
  .map((p) => p.join(''))
const spaced = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '))
const fieldName = fc
  .array(fc.constantFrom('a', 'b', '.', '_', '1', '@'), { minLength: 1, maxLength: 6 })
  .map((p) => p.join(''))
const field: fc.Arbitrary<KqlField> = fc.oneof(
  fieldName.map((name) => ({ name, wildcard: false })),
  fc.tuple(fieldName, fieldName).map(([a, b]) => ({ name: `${a}*${b}`, wildcard: true })),
)
const value: fc.Arbitrary<KqlValue> = fc.oneof(
  spaced.map((text) => ({ kind: 'term' as const, text })),
  fc.string({ maxLength: 8 }).map((text) => ({ kind: 'phrase' as const, text })),
  fc
    .array(fc.oneof(fc.constant(''), word), { minLength: 2, maxLength: 3 })
    .map((parts) => ({ kind: 'wildcard' as const, parts })),
)
const leaf: fc.Arbitrary<KqlNode> = fc.oneof(
  fc.tuple(fc.option(field, { nil: null }), value).map(([f, v]) => ({ type: 'match' as const, field: f, value: v })),
  field.map((f) => ({ type: 'exists' as const, field: f })),
  fc
    .tuple(field, fc.constantFrom('lt' as const, 'lte' as const, 'gt' as const, 'gte' as const), word)
    .map(([f, op, v]) => ({ type: 'range' as const, field: f, op, value: v })),
)
const tree = fc.letrec<{ node: KqlNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((children) => ({ type: 'and' as const, children })),
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((children) => ({ type: 'or' as const, children })),
    tie('node').map((child) => ({ type: 'not' as const, child })),
    fc.tuple(fieldName, tie('node')).map(([path, child]) => ({ type: 'nested' as const, path, child })),
  ),
})).node

/** Free-text values that the parser reads as a special form: `*` alone is every record. */
function normalizable(n: KqlNode): boolean {
  switch (n.type) {
    case 'and':
    case 'or':
      return n.children.every(normalizable)
    case 'not':
    case 'nested':
      return normalizable(n.child)
    case 'match':
      return !(n.value.kind === 'wildcard' && n.value.parts.every((p) => p === '') && n.value.parts.length === 2)
    case 'exists':
      return n.field.name !== '*'
    default:
      return true
  }
}

test('printing a tree with the documented escaping and parsing it back gives the same tree', () => {
  fc.assert(
    fc.property(
      tree.filter((n) => normalizable(n)),
      (ast) => {
        const text = print(ast)
        const r = parseKql(text)
        if ('error' in r) assert.fail(`${text}\n→ ${r.error.message} at ${r.error.position}`)
        assert.deepEqual(r.ast, ast, text)
      },
    ),
    { numRuns: 1500, seed: 42 },
  )
})
