import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LogEvent } from '@sluice/core/record.ts'
import { formatJsonRecords, jsonLinesBuffer } from './json-records.ts'

const events: LogEvent[] = [
  { sec: 1795333911, nsec: 91050000, body: { log: 'plain ascii', n: 1 } },
  { sec: 1795333911, nsec: 0, body: {} },
  { sec: 1795333912, nsec: 5, body: { msg: '한국어 로그 😀', nested: { k: ['é', 2.5, null, true] } } },
  { sec: 0, nsec: 999_999_999, body: { ключ: 'value', date: 'own date key' } },
  { sec: 1795333913, nsec: 1, body: { lone: '\ud800x', ctl: '\u0001\n"' } },
  // Dates outside the byte-written range (1e9 ≤ x < 2^32) and integral ones (`%.1f`).
  { sec: 4294967296, nsec: 500_000_000, body: { big: 1 } },
  { sec: -5, nsec: 250_000_000, body: { neg: 1 } },
  { sec: 1795333911, nsec: 999_999_999, body: { rounds: 'up' } },
  { sec: 1795333911, nsec: 100_000_000, body: { t: 'trailing zeros' } },
]

for (const opts of [
  { dateKey: 'date', dateFormat: 'double' as const },
  { dateKey: 'date', dateFormat: 'iso8601' as const },
  { dateKey: null, dateFormat: 'double' as const },
  { dateKey: '@tïme', dateFormat: 'epoch' as const },
  { dateKey: 'date', dateFormat: 'double' as const, escapeUnicode: false },
]) {
  test(`jsonLinesBuffer writes the bytes of formatJsonRecords json_lines (${JSON.stringify(opts)})`, () => {
    const text = formatJsonRecords(events, 'json_lines', opts)
    assert.equal(jsonLinesBuffer(events, opts).toString('utf8'), text)
  })
}

test('jsonLinesBuffer grows past its scratch buffer and returns a copy per call', () => {
  const big: LogEvent[] = []
  for (let i = 0; i < 5000; i++) big.push({ sec: 1795333911 + i, nsec: i, body: { log: `${'x'.repeat(400)} é ${i}` } })
  const opts = { dateKey: 'date', dateFormat: 'double' as const }
  const a = jsonLinesBuffer(big, opts)
  assert.equal(a.toString('utf8'), formatJsonRecords(big, 'json_lines', opts))
  const b = jsonLinesBuffer(events.slice(0, 1), opts)
  assert.equal(a.toString('utf8'), formatJsonRecords(big, 'json_lines', opts), 'first result unchanged by a later call')
  assert.equal(b.toString('utf8'), formatJsonRecords(events.slice(0, 1), 'json_lines', opts))
  assert.equal(jsonLinesBuffer([], opts).length, 0)
})
