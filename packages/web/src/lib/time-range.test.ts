import assert from 'node:assert/strict'
import { test } from 'node:test'
import { absoluteRange, describeRange, intervalMs, parseTime, resolveRange } from './time-range.ts'

const NOW = Date.parse('2026-11-22T08:30:45.500Z')

test('parseTime: date math relative to now', () => {
  const cases: [string, number][] = [
    ['now', NOW],
    ['now-15m', NOW - 15 * 60_000],
    ['now-24h', NOW - 24 * 3_600_000],
    ['now-7d', NOW - 7 * 86_400_000],
    ['now+30s', NOW + 30_000],
    ['now-2w', NOW - 14 * 86_400_000],
  ]
  for (const [text, ms] of cases) assert.deepEqual(parseTime(text, NOW), { ms }, text)
})

test('parseTime: rounding with /unit rounds down in local time', () => {
  const r = parseTime('now/h', NOW) as { ms: number }
  const d = new Date(r.ms)
  assert.equal(d.getMinutes(), 0)
  assert.equal(d.getSeconds(), 0)
  assert.ok(r.ms <= NOW && NOW - r.ms < 3_600_000)
  const day = parseTime('now-1d/d', NOW) as { ms: number }
  assert.equal(new Date(day.ms).getHours(), 0)
})

test('parseTime: months and years follow the calendar', () => {
  const r = parseTime('now-1M', Date.parse('2026-03-31T12:00:00Z')) as { ms: number }
  assert.ok(new Date(r.ms).getMonth() === 2 || new Date(r.ms).getMonth() === 1)
  const y = parseTime('now-1y', NOW) as { ms: number }
  assert.equal(new Date(y.ms).getFullYear(), 2025)
})

test('parseTime: ISO 8601 dates and times', () => {
  assert.deepEqual(parseTime('2026-11-22T08:00:00Z', NOW), { ms: Date.parse('2026-11-22T08:00:00Z') })
  assert.deepEqual(parseTime('2026-11-22T08:00:00.123+09:00', NOW), { ms: Date.parse('2026-11-22T08:00:00.123+09:00') })
  assert.deepEqual(parseTime('2026-11-22 08:00', NOW), { ms: Date.parse('2026-11-22T08:00') })
  assert.ok('ms' in parseTime('2026-11-22', NOW))
})

test('parseTime: rejects what is not a date, with a message key', () => {
  assert.deepEqual(parseTime('', NOW), { error: 'time.error.empty' })
  assert.deepEqual(parseTime('yesterday', NOW), { error: 'time.error.format' })
  assert.deepEqual(parseTime('now-15', NOW), { error: 'time.error.format' })
  assert.deepEqual(parseTime('2026-13-45T99:99', NOW), { error: 'time.error.format' })
  assert.deepEqual(parseTime('Sun, 22 Nov 2026 08:00:00 GMT', NOW), { error: 'time.error.format' })
})

test('resolveRange: both bounds, in order', () => {
  assert.deepEqual(resolveRange({ from: 'now-1h', to: 'now' }, NOW), { fromMs: NOW - 3_600_000, toMs: NOW })
  assert.deepEqual(resolveRange({ from: 'now', to: 'now-1h' }, NOW), { error: 'time.error.order', bound: 'from' })
  assert.deepEqual(resolveRange({ from: 'now-1h', to: 'later' }, NOW), { error: 'time.error.format', bound: 'to' })
})

test('describeRange: quick ranges, other relative ranges, absolute ranges', () => {
  assert.deepEqual(describeRange({ from: 'now-15m', to: 'now' }), { key: 'time.quick.15m' })
  assert.deepEqual(describeRange({ from: 'now-6h', to: 'now' }), { key: 'time.last.h', values: { n: 6 } })
  const abs = describeRange({ from: '2026-11-22T08:00:00Z', to: 'now' })
  assert.equal(abs.key, 'time.absolute')
})

test('absoluteRange: ISO strings from a zoom selection', () => {
  assert.deepEqual(
    absoluteRange(Date.parse('2026-11-22T08:00:00.000Z'), Date.parse('2026-11-22T08:05:00.000Z') - 0.5),
    {
      from: '2026-11-22T08:00:00.000Z',
      to: '2026-11-22T08:05:00.000Z',
    },
  )
})

test('intervalMs: refresh intervals', () => {
  assert.equal(intervalMs('10s'), 10_000)
  assert.equal(intervalMs('5m'), 300_000)
  assert.equal(intervalMs('off'), 0)
  assert.equal(intervalMs('10x'), 0)
})
