import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Hit } from './hit.ts'
import { bucketMetric, interfacesOf, memPercent, niceBucket, nodeOf, ratePercent, sampleSlices } from './metrics.ts'

const T0 = Date.parse('2026-11-22T08:00:00Z')
const rec = (s: number, host: string, fields: Record<string, unknown>): Hit => ({
  _id: `${host}${s}`,
  _index: 'node-metrics-1',
  '@timestamp': new Date(T0 + s * 1000).toISOString(),
  host,
  ...fields,
})

test('bucketMetric: averages per node per bucket, gaps are null', () => {
  const hits = [
    rec(0, 'n1', { cpu_p: 10 }),
    rec(5, 'n1', { cpu_p: 20 }),
    rec(25, 'n1', { cpu_p: 40 }),
    rec(1, 'n2', { cpu_p: '7' }),
  ]
  const r = bucketMetric(hits, 'cpu_p', T0, T0 + 30_000, 10_000)
  assert.deepEqual(r.xs, [T0 / 1000, T0 / 1000 + 10, T0 / 1000 + 20, T0 / 1000 + 30])
  assert.deepEqual(r.series, [
    { label: 'n1', values: [15, null, 40, null] },
    { label: 'n2', values: [7, null, null, null] },
  ])
})

test('bucketMetric: nested and dotted field names, derived values, non-numbers skipped', () => {
  const hits = [
    rec(0, 'n1', { eth0: { rx: { bytes: 100 } } }),
    rec(1, 'n1', { 'eth0.rx.bytes': 300 }),
    rec(2, 'n1', { 'eth0.rx.bytes': 'n/a' }),
    rec(3, 'n1', { 'Mem.total': 200, 'Mem.used': 50 }),
  ]
  assert.deepEqual(bucketMetric(hits, 'eth0.rx.bytes', T0, T0 + 10_000, 10_000).series, [
    { label: 'n1', values: [200, null] },
  ])
  assert.deepEqual(bucketMetric(hits, memPercent, T0, T0 + 10_000, 10_000).series, [
    { label: 'n1', values: [25, null] },
  ])
})

test('nodeOf: host-like fields first, the index otherwise', () => {
  assert.equal(nodeOf({ 'kubernetes.host': 'w1', _index: 'i' }), 'w1')
  assert.equal(nodeOf({ _index: 'node-metrics-a' }), 'node-metrics-a')
})

test('interfacesOf, niceBucket, ratePercent', () => {
  assert.deepEqual(interfacesOf(['eth0.rx.bytes', 'eth0.tx.bytes', 'lo.tx.bytes', 'cpu_p']), ['eth0', 'lo'])
  assert.equal(niceBucket(15 * 60_000), 30_000)
  assert.equal(niceBucket(24 * 3_600_000), 1_800_000)
  assert.deepEqual(ratePercent([1, 0, 2], [4, 0, 0]), [25, null, null])
})

test('sampleSlices: equal adjoining slices covering the whole range', () => {
  const s = sampleSlices(T0, T0 + 60_000, 3)
  assert.deepEqual(s, [
    { from: new Date(T0).toISOString(), to: new Date(T0 + 20_000).toISOString() },
    { from: new Date(T0 + 20_000).toISOString(), to: new Date(T0 + 40_000).toISOString() },
    { from: new Date(T0 + 40_000).toISOString(), to: new Date(T0 + 60_000).toISOString() },
  ])
})
