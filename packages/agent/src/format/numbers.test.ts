import assert from 'node:assert/strict'
import { test } from 'node:test'
import { jsonDouble, printfG16 } from './numbers.ts'

test('jsonDouble of record times (1e9 ≤ x < 2^32) equals the general %.16g rendering', () => {
  let seed = 42
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  const xs = [
    1e9 + 0.5,
    1795333911.09105,
    1795333911.000001,
    1795333911 + 1e-7,
    1795333911 + 0.9999996,
    1795333911.999999,
    1795333911.1,
    4294967295.999999,
    2 ** 32 - 2 ** -21,
    2 ** 31 + 2 ** -21,
  ]
  for (let i = 0; i < 200_000; i++) {
    const sec = 1e9 + Math.floor(rnd() * (2 ** 32 - 1e9))
    xs.push(i % 2 === 0 ? sec + Math.floor(rnd() * 1e9) / 1e9 : sec + Math.floor(rnd() * 1e6) / 1e6)
  }
  for (const x of xs) if (!Number.isInteger(x)) assert.equal(jsonDouble(x), printfG16(x), `x=${x}`)
  assert.equal(jsonDouble(1795333911), '1795333911.0')
  assert.equal(jsonDouble(0.5), '0.5')
  assert.equal(jsonDouble(1795333911 + 0.9999996), '1795333912')
})
