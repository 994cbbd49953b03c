import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BufferPool } from './buffer-pool.ts'

test('BufferPool reuses a given buffer that is large enough, within its limits', () => {
  const pool = new BufferPool({ buffers: 2, bufferBytes: 1 << 20, totalBytes: 1 << 20 })
  const a = pool.take(100_000)
  assert.ok(a.length >= 100_000)
  assert.equal(a.length % 65536, 0, 'rounded up to 64 KiB')
  pool.give(a)
  assert.equal(pool.keptBytes(), a.length)
  assert.equal(pool.take(50_000), a, 'a kept buffer serves a smaller request')
  assert.equal(pool.keptBytes(), 0)
  pool.give(a)
  const b = pool.take(a.length + 1)
  assert.notEqual(b, a, 'too small: a new one')
  // limits: a buffer over bufferBytes is not kept; nor one that would pass totalBytes
  pool.give(Buffer.alloc((1 << 20) + 1))
  assert.equal(pool.keptBytes(), a.length)
  pool.give(Buffer.alloc(1 << 20))
  assert.equal(pool.keptBytes(), a.length)
  pool.give(Buffer.alloc(1000))
  pool.give(Buffer.alloc(1000))
  assert.equal(pool.keptBytes(), a.length + 1000, 'at most 2 buffers')
})
