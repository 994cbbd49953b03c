import assert from 'node:assert/strict'
import { test } from 'node:test'
import { histogramSeries } from './histogram-series.ts'

test('histogramSeries: split values ordered by total, other last', () => {
  const r = histogramSeries(
    {
      interval: '1m',
      intervalMs: 60_000,
      buckets: [
        { t: 60_000, count: 6, split: { info: 1, error: 3, __other__: 2 } },
        { t: 120_000, count: 3, split: { info: 3 } },
      ],
    },
    'other',
    'Records',
  )
  assert.deepEqual(r.xs, [60, 120])
  assert.deepEqual(
    r.series.map((s) => [s.label, s.values]),
    [
      ['info', [1, 3]],
      ['error', [3, 0]],
      ['other', [2, 0]],
    ],
  )
})

test('histogramSeries: records without the split field become a series of their own', () => {
  const r = histogramSeries(
    {
      interval: '1m',
      intervalMs: 60_000,
      buckets: [
        { t: 0, count: 4, split: { info: 1, error: 1 } },
        { t: 60_000, count: 0, split: {} },
      ],
    },
    'other',
    'Records',
    '(none)',
  )
  assert.deepEqual(
    r.series.map((s) => [s.label, s.values]),
    [
      ['info', [1, 0]],
      ['error', [1, 0]],
      ['(none)', [2, 0]],
    ],
  )
})

test('histogramSeries: without a split, one series of counts', () => {
  const r = histogramSeries({ interval: '1m', intervalMs: 60_000, buckets: [{ t: 0, count: 4 }] }, 'other', 'Records')
  assert.deepEqual(
    r.series.map((s) => [s.label, s.values]),
    [['Records', [4]]],
  )
})
