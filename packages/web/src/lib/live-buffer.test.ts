import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Hit } from './hit.ts'
import { LiveBuffer } from './live-buffer.ts'

const hit = (n: number): Hit => ({
  _id: `h${n}`,
  _index: 'i',
  '@timestamp': new Date(n * 1000).toISOString(),
  message: `m${n}`,
})
const ids = (b: LiveBuffer) => b.rows.map((r) => r.id)

test('LiveBuffer: newest first as hits arrive', () => {
  const b = new LiveBuffer(100)
  assert.equal(b.push([hit(1), hit(2)]), true)
  b.push([hit(3)])
  assert.deepEqual(ids(b), ['h3', 'h2', 'h1'])
})

test('LiveBuffer: pause queues every hit, resume shows them all in order', () => {
  const b = new LiveBuffer(100)
  b.push([hit(1)])
  b.pause()
  const before = b.rows
  assert.equal(b.push([hit(2), hit(3)]), false)
  b.push([hit(4)])
  assert.equal(b.pending, 3)
  assert.equal(b.rows, before, 'the view does not move while paused')
  assert.equal(b.resume(), true)
  assert.equal(b.pending, 0)
  assert.deepEqual(ids(b), ['h4', 'h3', 'h2', 'h1'])
})

test('LiveBuffer: keeps the newest rows up to the limit and counts what left the view', () => {
  const b = new LiveBuffer(3)
  b.push([hit(1), hit(2)])
  b.push([hit(3), hit(4), hit(5)])
  assert.deepEqual(ids(b), ['h5', 'h4', 'h3'])
  assert.equal(b.trimmed, 2)
})

test('LiveBuffer: resume with nothing queued changes nothing', () => {
  const b = new LiveBuffer(3)
  b.pause()
  assert.equal(b.resume(), false)
  assert.deepEqual(ids(b), [])
})
