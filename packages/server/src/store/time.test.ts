import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseIsoMicros } from './time.ts'

test('parseIsoMicros: the same result as a full parse, whatever second was parsed before', () => {
  const texts = [
    '2026-11-22T07:40:00.123Z',
    '2026-11-22T07:40:00.999Z',
    '2026-11-22T07:40:00.000Z',
    '2026-11-22T07:40:01.001Z',
    '2026-11-22T07:40:00.5x0Z', // not digits after a cached second: the general parser decides
    '2026-11-22T07:40:00.500Z',
    '2026-11-23T07:40:00.500Z',
    '2026-11-22T07:40:00.123+09:00',
    '2026-11-22 07:40:00',
    '2024-02-29T23:59:59.999Z',
    'not a time at all, 24 ch',
    '2026-11-22T07:40:00.123456Z',
  ]
  const expected = (t: string): number | undefined => {
    if (t.includes('x') || t.startsWith('not')) return undefined
    if (t === '2026-11-22 07:40:00') return Date.UTC(2026, 10, 22, 7, 40) * 1000
    if (t.endsWith('.123456Z')) return Date.UTC(2026, 10, 22, 7, 40, 0, 123) * 1000 + 456
    return Date.parse(t) * 1000
  }
  for (const order of [texts, [...texts].reverse(), [...texts, ...texts]])
    for (const t of order) assert.equal(parseIsoMicros(t), expected(t), t)
})
