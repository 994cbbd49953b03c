import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setupFilter } from '../testing.ts'
import nest from './index.ts'

const k8s = () => ({
  log: 'hello',
  kubernetes: {
    pod_name: 'cart-7d9f',
    namespace_name: 'shop',
    labels: { app: 'cart', 'app.kubernetes.io/name': 'cart-svc' },
  },
})

describe('nest', () => {
  test('documented example: nest Mem.* under Memstats', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'nest'],
      ['Wildcard', 'Mem.*'],
      ['Nest_under', 'Memstats'],
    ])
    assert.deepEqual(await h.bodies([{ 'Mem.total': 1, 'Mem.used': 2, Swap: 0 }]), [
      { Swap: 0, Memstats: { 'Mem.total': 1, 'Mem.used': 2 } },
    ])
  })

  test('nest with Remove_prefix', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'nest'],
      ['Wildcard', 'Mem.*'],
      ['Nest_under', 'Memstats'],
      ['Remove_prefix', 'Mem.'],
    ])
    assert.deepEqual(await h.bodies([{ 'Mem.total': 1, Swap: 0 }]), [{ Swap: 0, Memstats: { total: 1 } }])
  })

  test('several wildcards; no match leaves the record unchanged', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'nest'],
      ['Wildcard', 'a'],
      ['Wildcard', 'b*'],
      ['Nest_under', 'n'],
    ])
    assert.deepEqual(await h.bodies([{ a: 1, bb: 2, c: 3 }, { c: 3 }, {}]), [
      { c: 3, n: { a: 1, bb: 2 } },
      { c: 3 },
      {},
    ])
  })

  test('lift lifts one level with Add_prefix: nested maps stay maps', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'lift'],
      ['Nested_under', 'kubernetes'],
      ['Add_prefix', 'k8s_'],
    ])
    assert.deepEqual(await h.bodies([k8s()]), [
      {
        log: 'hello',
        k8s_pod_name: 'cart-7d9f',
        k8s_namespace_name: 'shop',
        k8s_labels: { app: 'cart', 'app.kubernetes.io/name': 'cart-svc' },
      },
    ])
  })

  test('a second lift reaches k8s_labels_app (what seed 004 needs)', async () => {
    const a = await setupFilter(nest, [
      ['Operation', 'lift'],
      ['Nested_under', 'kubernetes'],
      ['Add_prefix', 'k8s_'],
    ])
    const b = await setupFilter(nest, [
      ['Operation', 'lift'],
      ['Nested_under', 'k8s_labels'],
      ['Add_prefix', 'k8s_labels_'],
    ])
    const [out] = await b.run(await a.run([{ sec: 1, nsec: 0, body: k8s() }]))
    assert.deepEqual(out!.body, {
      log: 'hello',
      k8s_pod_name: 'cart-7d9f',
      k8s_namespace_name: 'shop',
      k8s_labels_app: 'cart',
      'k8s_labels_app.kubernetes.io/name': 'cart-svc',
    })
  })

  test('lift with Remove_prefix', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'lift'],
      ['Nested_under', 'm'],
      ['Remove_prefix', 'x_'],
    ])
    assert.deepEqual(await h.bodies([{ m: { x_a: 1, b: 2 } }]), [{ a: 1, b: 2 }])
  })

  test('lift of a missing key, a string or an array changes nothing', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'lift'],
      ['Nested_under', 'm'],
    ])
    const input = [{ a: 1 }, { m: 'text' }, { m: [1, 2] }, {}]
    assert.deepEqual(await h.bodies(input), input)
  })

  test('lift of an empty map removes it', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'lift'],
      ['Nested_under', 'm'],
    ])
    assert.deepEqual(await h.bodies([{ a: 1, m: {} }]), [{ a: 1 }])
  })

  test('a __proto__ key from JSON is lifted as a key, not as a prototype', async () => {
    const h = await setupFilter(nest, [
      ['Operation', 'lift'],
      ['Nested_under', 'm'],
    ])
    const [out] = await h.bodies([JSON.parse('{"m":{"__proto__":{"x":1},"a":2}}')])
    assert.equal(Object.getPrototypeOf(out), Object.prototype)
    assert.deepEqual(Object.keys(out!), ['__proto__', 'a'])
  })

  test('missing options are precise errors', async () => {
    await assert.rejects(
      setupFilter(nest, [
        ['Operation', 'nest'],
        ['Nest_under', 'x'],
      ]),
      /needs 'Wildcard'/,
    )
    await assert.rejects(setupFilter(nest, [['Operation', 'lift']]), /needs 'Nested_under'/)
    await assert.rejects(setupFilter(nest, [['Operation', 'flatten']]), /not one of nest, lift/)
  })
})
