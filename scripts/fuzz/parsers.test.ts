// Property-based tests (fast-check, bounded runs): the parsers that take untrusted text never throw;
// they return a result or a precise error. KQL (parseKql), the Elasticsearch bulk body (parseBulk),
// and the agent's stock `cri` and `json` parsers.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { parseKql } from '../../packages/core/src/kql/parse.ts'
import { stockParsers } from '../../packages/agent/src/parsers/index.ts'
import { parseBulk } from '../../packages/server/src/es/bulk-parse.ts'
import { HttpError } from '../../packages/server/src/http/util.ts'

const RUNS = { numRuns: 300, seed: 20261122 } as const

// strings drawn mostly from the characters that mean something to the grammar, plus anything
const kqlToken = fc.oneof(
  fc.constantFrom(
    '(',
    ')',
    ':',
    '<',
    '>',
    '<=',
    '>=',
    '"',
    '*',
    '{',
    '}',
    '\\',
    ' ',
    'and',
    'or',
    'not',
    'AND',
    'OR',
    'NOT',
  ),
  fc.constantFrom('level', 'kubernetes.namespace_name', 'log', 'error', '42', '2026-11-22', 'a.b.c'),
  fc.string({ maxLength: 4 }),
)
const kqlText = fc.oneof(
  fc.array(kqlToken, { maxLength: 30 }).map((t) => t.join('')),
  fc.string({ maxLength: 60 }),
)

test('parseKql never throws: an AST, or an error with a message and a position inside the query', () => {
  fc.assert(
    fc.property(kqlText, (q) => {
      const r = parseKql(q)
      if ('error' in r) {
        assert.equal(typeof r.error.message, 'string')
        assert.ok(r.error.message.length > 0)
        assert.ok(
          Number.isInteger(r.error.position) && r.error.position >= 0 && r.error.position <= q.length,
          `${r.error.position} in ${JSON.stringify(q)}`,
        )
      } else assert.equal(typeof r.ast, 'object')
    }),
    RUNS,
  )
})

test('parseKql: deep nesting and long queries get an error, not a stack overflow', () => {
  for (const q of [
    '('.repeat(100_000),
    `${'not '.repeat(50_000)}a`,
    `a:${'x'.repeat(2_000_000)}`,
    '{'.repeat(50_000),
  ]) {
    const r = parseKql(q)
    assert.ok('error' in r || 'ast' in r)
  }
})

const action = fc.oneof(
  fc.record({
    create: fc.record({
      _index: fc.string({ maxLength: 12 }),
      _id: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    }),
  }),
  fc.record({ index: fc.record({ _index: fc.string({ maxLength: 12 }) }) }),
  fc.record({ delete: fc.record({ _index: fc.string({ maxLength: 12 }), _id: fc.string({ maxLength: 8 }) }) }),
  fc.record({ update: fc.record({ _id: fc.string({ maxLength: 8 }) }) }),
  fc.jsonValue({ maxDepth: 2 }),
)
const bulkLine = fc.oneof(
  action.map((a) => JSON.stringify(a)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', '   ', '{', '{"create":', '\r', '\u0000'),
)

test('parseBulk: any body gives operations or a 400 HttpError that says what is wrong', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(bulkLine, { maxLength: 12 }).map((l) => Buffer.from(l.join('\n'))),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      ),
      fc.option(fc.constantFrom('logs', 'x'), { nil: undefined }),
      (body, pathIndex) => {
        try {
          const ops = parseBulk(body, pathIndex)
          for (const op of ops) {
            assert.ok(['index', 'create', 'update', 'delete'].includes(op.action))
            if (op.action !== 'delete') assert.ok(op.doc !== undefined || typeof op.docError === 'string')
          }
        } catch (e) {
          assert.ok(e instanceof HttpError, `not an HttpError: ${e}`)
          assert.equal(e.status, 400)
          assert.ok(e.message.length > 0)
        }
      },
    ),
    RUNS,
  )
})

test('parseBulk: well-formed create/doc pairs come back one operation each, documents intact', () => {
  const doc = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'),
    fc.jsonValue({ maxDepth: 2 }),
    {
      maxKeys: 5,
    },
  )
  fc.assert(
    fc.property(fc.array(doc, { maxLength: 10 }), (docs) => {
      const body = docs.map((d) => `{"create":{"_index":"logs"}}\n${JSON.stringify(d)}\n`).join('')
      const ops = parseBulk(Buffer.from(body), undefined)
      assert.equal(ops.length, docs.length)
      ops.forEach((op, i) => {
        assert.equal(op.index, 'logs')
        assert.deepEqual(op.doc, JSON.parse(JSON.stringify(docs[i])))
      })
    }),
    RUNS,
  )
})

const parsers = stockParsers()
const cri = parsers.get('cri')!
const json = parsers.get('json')!

test('cri parser: any text gives a record or null, never throws; valid CRI lines keep the content exactly', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (t) => {
      const r = cri.parse(t)
      assert.ok(r === null || typeof r.body === 'object')
    }),
    RUNS,
  )
  const content = fc.string({ maxLength: 60 }).filter((s) => !s.includes('\n'))
  fc.assert(
    fc.property(
      fc.date({ min: new Date('1971-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
      fc.constantFrom('stdout', 'stderr'),
      fc.constantFrom('F', 'P'),
      content,
      (d, stream, tag, text) => {
        const r = cri.parse(`${d.toISOString()} ${stream} ${tag} ${text}`)
        assert.ok(r, 'a valid CRI line parses')
        assert.equal(r.body.stream, stream)
        assert.equal(r.body.logtag, tag)
        // an empty capture is left out, as Fluent Bit's regex parser does
        assert.equal(r.body.message ?? '', text)
        assert.equal(r.sec, Math.floor(d.getTime() / 1000))
      },
    ),
    RUNS,
  )
})

test('json parser: any text gives a record, null or a time error, never throws; objects round-trip', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      ),
      (t) => {
        const r = json.parse(t)
        assert.ok(r === null || (typeof r.body === 'object' && r.body !== null))
      },
    ),
    RUNS,
  )
  const key = fc.string({ maxLength: 8 }).filter((k) => k !== 'time' && k !== '__proto__')
  fc.assert(
    fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), (obj) => {
      const r = json.parse(JSON.stringify(obj))
      assert.ok(r)
      assert.deepEqual(r.body, JSON.parse(JSON.stringify(obj)))
    }),
    RUNS,
  )
})
