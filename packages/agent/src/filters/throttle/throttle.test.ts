import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setupFilter } from '../testing.ts'
import throttle, { type ThrottleState } from './index.ts'

const batch = (n: number, body: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({ sec: 1, nsec: 0, body: { i, ...body } }))

async function setup(opts: [string, string][]) {
  const h = await setupFilter(throttle, opts)
  const s = h.state as ThrottleState
  let now = 1_000_000_000
  s.clock = () => now
  s.tick = Math.floor(now / s.intervalMs)
  return { h, s, advance: (ms: number) => (now += ms) }
}

describe('throttle', () => {
  test('Rate 2 over a Window of 5 intervals allows 10 records, then drops, counts and logs', async () => {
    const { h, advance } = await setup([
      ['Rate', '2'],
      ['Window', '5'],
      ['Interval', '1s'],
    ])
    assert.equal((await h.run(batch(25))).length, 10)
    assert.equal(h.ctx.metrics.counter('sluice_filter_throttle_dropped_records_total', '').get({ name: 'test.0' }), 15)
    advance(1000)
    // the window still holds 10 passed records: nothing passes until an interval slides out
    assert.equal((await h.run(batch(3))).length, 0)
    assert.ok(h.ctx.lines.some((l) => /dropped 15 records over the limit of 2 per 1s/.test(l)))
    advance(4000) // the first interval (all 10) leaves the window
    assert.equal((await h.run(batch(20))).length, 10)
  })

  test('per-key throttling keeps one window per namespace', async () => {
    const { h } = await setup([
      ['Rate', '1'],
      ['Window', '2'],
      ['key', "$kubernetes['namespace_name']"],
    ])
    const noisy = batch(50, { kubernetes: { namespace_name: 'noisy' } })
    const quiet = batch(2, { kubernetes: { namespace_name: 'quiet' } })
    const out = await h.run([...noisy, ...quiet])
    assert.equal(
      out.filter((e) => (e.body.kubernetes as { namespace_name: string }).namespace_name === 'quiet').length,
      2,
    )
    assert.equal(out.length, 4)
    await h.flush()
    assert.ok(h.ctx.lines.some((l) => /dropped 48 records.*noisy=48/.test(l)))
  })

  test('max_keys sends further keys to one overflow window', async () => {
    const { h, s } = await setup([
      ['Rate', '1'],
      ['Window', '1'],
      ['key', 'pod'],
      ['max_keys', '2'],
    ])
    const out = await h.run([1, 2, 3, 4, 5].map((p) => ({ sec: 1, nsec: 0, body: { pod: `p${p}` } })))
    assert.equal(out.length, 3) // p1, p2, and one of the overflowing pods
    assert.equal(s.windows.size, 3)
  })

  test('the drop summary is written one interval later even when no more records arrive', async () => {
    const h = await setupFilter(throttle, [
      ['Rate', '1'],
      ['Window', '1'],
      ['Interval', '20ms'],
    ])
    await h.run(batch(5))
    while (!h.ctx.lines.some((l) => /dropped 4 records/.test(l))) await new Promise((r) => setTimeout(r, 5))
    await h.stop()
  })

  test('Print_Status logs the window', async () => {
    const { h, advance } = await setup([['Print_Status', 'on']])
    await h.run(batch(1))
    advance(1000)
    await h.run(batch(1))
    assert.ok(h.ctx.lines.some((l) => /status: 0\.20 records\/interval over the window, limit 1/.test(l)))
  })

  test('bad values are precise errors', async () => {
    await assert.rejects(setupFilter(throttle, [['Rate', '0']]), /Rate must be at least 1/)
    await assert.rejects(setupFilter(throttle, [['Interval', 'soon']]), /not a duration/)
  })
})
