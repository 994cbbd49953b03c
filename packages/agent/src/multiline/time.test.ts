import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRfc3339 } from './time.ts'

const base = Date.UTC(2026, 10, 22, 7, 30, 0) / 1000

test('RFC 3339 timestamps of CRI and Docker lines', () => {
  const cases: [string, { sec: number; nsec: number } | null][] = [
    ['2026-11-22T07:30:00.123456789Z', { sec: base, nsec: 123456789 }],
    ['2026-11-22T07:30:00.5Z', { sec: base, nsec: 500000000 }],
    ['2026-11-22T07:30:00Z', { sec: base, nsec: 0 }],
    ['2026-11-22T07:30:00', { sec: base, nsec: 0 }],
    ['2026-11-22T16:30:00.000000001+09:00', { sec: base, nsec: 1 }],
    ['2026-11-22T02:30:00-0500', { sec: base, nsec: 0 }],
    ['2026-11-22T07:30:00.1234567891Z', { sec: base, nsec: 123456789 }],
    ['2026-11-22T07:30:00.Z', null],
    ['2026-11-22T07:30:00Zjunk', null],
    ['2026-11-22 07:30:00Z', { sec: base, nsec: 0 }],
    ['not a time at all!!', null],
    ['2026-11-22T07:30', null],
  ]
  for (const [text, want] of cases) assert.deepEqual(parseRfc3339(text), want, text)
  // the cached prefix does not leak into a different second
  assert.equal(parseRfc3339('2026-11-22T07:30:01Z')!.sec, base + 1)
  assert.equal(parseRfc3339('2026-11-22T07:30:00Z')!.sec, base)
})
