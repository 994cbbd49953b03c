import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pickSeries } from './pick-series.ts'

const series = [
  { label: 'shop', values: [5, 0] },
  { label: 'payments', values: [3, 2] },
  { label: 'kube-system', values: [null, 1] },
]

test('pickSeries: stacked bars pick the segment holding y', () => {
  assert.equal(pickSeries(series, 'bars', 0, 1), 'shop')
  assert.equal(pickSeries(series, 'bars', 0, 5), 'shop')
  assert.equal(pickSeries(series, 'bars', 0, 6.5), 'payments')
  assert.equal(pickSeries(series, 'bars', 1, 2.5), 'kube-system')
  assert.equal(pickSeries(series, 'bars', 0, 9), null, 'above the stack')
})

test('pickSeries: lines pick the nearest value, skipping gaps', () => {
  assert.equal(pickSeries(series, 'lines', 0, 3.4), 'payments')
  assert.equal(pickSeries(series, 'lines', 0, 100), 'shop')
  assert.equal(pickSeries(series, 'lines', 1, 0.9), 'kube-system')
  assert.equal(pickSeries([{ label: 'a', values: [null] }], 'lines', 0, 1), null)
})
