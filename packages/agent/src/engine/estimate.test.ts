import assert from 'node:assert/strict'
import { test } from 'node:test'
import { estimateBytes, eventBytes } from './estimate.ts'

test('size estimate is close to the JSON size of a record', () => {
  const e = { sec: 1, nsec: 2, body: { log: 'hello world', n: 12, ok: true, k: { a: ['x', 'y'] } } }
  const json = JSON.stringify(e.body).length
  const est = eventBytes(e)
  assert.ok(est >= json && est <= json + 32, `${est} vs JSON ${json}`)
})

test('large batches are sampled: uniform batches estimate exactly, mixed ones proportionally', () => {
  const one = { sec: 1, nsec: 0, body: { log: 'x'.repeat(100) } }
  const uniform = Array.from({ length: 1000 }, () => one)
  assert.equal(estimateBytes(uniform), eventBytes(one) * 1000)
  const small = { sec: 1, nsec: 0, body: { log: 'y' } }
  const mixed = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? one : small))
  const exact = 500 * eventBytes(one) + 500 * eventBytes(small)
  const est = estimateBytes(mixed)
  assert.ok(Math.abs(est - exact) / exact < 0.1, `${est} vs ${exact}`)
  assert.equal(estimateBytes([]), 0)
})
