import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Hit } from './hit.ts'
import { flatten, normalizeLevel } from './hit.ts'
import { formatTimestamp, LogRowModel, RowModelCache, setDisplayUtc } from './row-model.ts'

const hit: Hit = {
  _id: 'a1',
  _index: 'logs',
  '@timestamp': '2026-11-22T08:00:00.120Z',
  log: 'payment failed: card declined',
  level: 'ERROR',
  kubernetes: { namespace_name: 'shop', labels: { 'app.kubernetes.io/name': 'pay' } },
  tags: ['a', 'b'],
}

test('flatten: dotted keys for nested objects, arrays kept as values', () => {
  assert.deepEqual(flatten({ a: { b: { c: 1 } }, d: [1, { e: 2 }], f: {} }), { 'a.b.c': 1, d: [1, { e: 2 }], f: {} })
})

test('LogRowModel: message from message/log fields, level normalised, cells as text', () => {
  const m = new LogRowModel(hit)
  assert.equal(m.message, 'payment failed: card declined')
  assert.equal(m.level, 'error')
  assert.equal(m.cell('kubernetes.labels.app.kubernetes.io/name'), 'pay')
  assert.equal(m.cell('tags'), '["a","b"]')
  assert.equal(m.cell('missing'), '')
  assert.equal(m.cell('_message'), m.message)
  assert.equal(m.timeMs, Date.parse('2026-11-22T08:00:00.120Z'))
  assert.match(m.time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00\.120$/)
  assert.deepEqual(JSON.parse(m.json), hit)
})

test('LogRowModel: a record without a message shows its fields as JSON', () => {
  const m = new LogRowModel({ _id: 'x', _index: 'm', '@timestamp': '2026-11-22T08:00:00Z', cpu_p: 3.5 })
  assert.equal(m.message, '{"cpu_p":3.5}')
  assert.equal(m.level, '')
})

test('LogRowModel: derived text is computed once and cached', () => {
  const m = new LogRowModel(hit)
  assert.equal(m.flat, m.flat)
  assert.equal(m.json, m.json)
  const a = m.marks('_message', ['failed'])
  assert.equal(m.marks('_message', ['failed']), a, 'same terms reuse the segments')
  assert.deepEqual(a, [
    { text: 'payment ', hit: false },
    { text: 'failed', hit: true },
    { text: ': card declined', hit: false },
  ])
  const b = m.marks('_message', ['card'])
  assert.notEqual(b, a, 'new terms recompute')
  assert.equal(b[1]!.text, 'card')
})

test('LogRowModel: field rows are sorted and complete', () => {
  const rows = new LogRowModel(hit).fieldRows()
  assert.deepEqual(
    rows.map(([k]) => k),
    [...rows.map(([k]) => k)].sort(),
  )
  assert.ok(rows.some(([k, v]) => k === 'kubernetes.namespace_name' && v === 'shop'))
  assert.ok(rows.some(([k]) => k === '_id'))
})

test('RowModelCache: one model per hit id across pages', () => {
  const cache = new RowModelCache()
  const [a] = cache.rows([hit])
  const [b, c] = cache.rows([{ ...hit }, { ...hit, _id: 'a2' }])
  assert.equal(a, b)
  assert.notEqual(b, c)
  assert.equal(cache.size, 2)
})

test('RowModelCache: prune keeps only the rows on screen', () => {
  const cache = new RowModelCache()
  const [a, b] = cache.rows([hit, { ...hit, _id: 'a2' }])
  cache.prune([b!])
  assert.equal(cache.size, 1)
  assert.equal(cache.rows([{ ...hit, _id: 'a2' }])[0], b)
  assert.notEqual(cache.rows([hit])[0], a)
})

test('normalizeLevel: common spellings', () => {
  assert.equal(normalizeLevel('WARNING'), 'warn')
  assert.equal(normalizeLevel('Err'), 'error')
  assert.equal(normalizeLevel('CRITICAL'), 'fatal')
  assert.equal(normalizeLevel(undefined), '')
  assert.equal(normalizeLevel('notice'), 'notice')
})

test('formatTimestamp and row times follow the UTC setting', () => {
  assert.equal(formatTimestamp(Date.parse('2026-11-22T08:00:00.120Z'), true), '2026-11-22 08:00:00.120')
  const m = new LogRowModel(hit)
  setDisplayUtc(true)
  try {
    assert.equal(m.time, '2026-11-22 08:00:00.120')
    assert.equal(m.cell('@timestamp'), '2026-11-22 08:00:00.120')
  } finally {
    setDisplayUtc(false)
  }
  assert.equal(m.time, formatTimestamp(m.timeMs, false), 'switching back re-formats')
})
